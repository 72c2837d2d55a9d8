/**
 * ATT&CK Navigator layer format 4.5, checked property by property from the tables of
 * ../shared/specs/attack-navigator/layers/spec/v4.5/layerformat.md (MITRE publishes no JSON Schema
 * for layers). A file is one layer or a list of layers. Beyond the tables: properties the format
 * does not define are reported, so a typo is not silently ignored by the Navigator.
 */
type Obj = Record<string, unknown>;

const LAYER_PROPS: Record<string, string> = {
  versions: 'object',
  name: 'string',
  description: 'string',
  domain: 'string',
  customDataURL: 'string',
  filters: 'object',
  sorting: 'number',
  layout: 'object',
  hideDisabled: 'boolean',
  techniques: 'array',
  gradient: 'object',
  legendItems: 'array',
  showTacticRowBackground: 'boolean',
  tacticRowBackground: 'string',
  selectTechniquesAcrossTactics: 'boolean',
  selectSubtechniquesWithParent: 'boolean',
  selectVisibleTechniques: 'boolean',
  metadata: 'array',
  links: 'array',
};
const TECHNIQUE_PROPS: Record<string, string> = {
  techniqueID: 'string',
  tactic: 'string',
  comment: 'string',
  enabled: 'boolean',
  score: 'number',
  color: 'string',
  metadata: 'array',
  links: 'array',
  showSubtechniques: 'boolean',
};
const LAYOUT_PROPS: Record<string, string> = {
  layout: 'string',
  showID: 'boolean',
  showName: 'boolean',
  showAggregateScores: 'boolean',
  countUnscored: 'boolean',
  aggregateFunction: 'string',
  expandedSubtechniques: 'string',
};
const DOMAINS = ['enterprise-attack', 'mobile-attack', 'ics-attack'];
const PLATFORMS: Record<string, string[]> = {
  'enterprise-attack': ['PRE', 'Windows', 'Linux', 'macOS', 'Network', 'AWS', 'GCP', 'Azure', 'Azure AD', 'Office 365', 'SaaS'],
  'mobile-attack': ['Android', 'iOS'],
  'ics-attack': ['Windows', 'Control Server', 'Data Historian', 'Engineering Workstation', 'Field Controller/RTU/PLC/IED', 'Human-Machine Interface', 'Input/Output Server', 'Safety Instrumented System/Protection Relay'],
};

function typeOf(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}

function props(obj: Obj, spec: Record<string, string>, path: string, errors: string[]): void {
  for (const [k, v] of Object.entries(obj)) {
    const want = spec[k];
    if (!want) errors.push(`${path}.${k}: not a property of the layer format 4.5`);
    else if (typeOf(v) !== want) errors.push(`${path}.${k}: must be ${want}, is ${typeOf(v)}`);
  }
}

function semverAtLeast(v: string, min: [number, number, number]): boolean {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(v);
  if (!m) return false;
  const a = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  for (let i = 0; i < 3; i++) if (a[i] !== min[i]) return a[i]! > min[i]!;
  return true;
}

function metadataList(list: unknown[], path: string, errors: string[], kind: 'metadata' | 'links'): void {
  list.forEach((m, i) => {
    const p = `${path}[${i}]`;
    if (typeOf(m) !== 'object') return void errors.push(`${p}: must be an object`);
    const o = m as Obj;
    if ('divider' in o) {
      if (typeof o.divider !== 'boolean') errors.push(`${p}.divider: must be boolean`);
      return;
    }
    const [a, b] = kind === 'metadata' ? ['name', 'value'] : ['label', 'url'];
    for (const k of [a!, b!]) if (typeof o[k] !== 'string') errors.push(`${p}.${k}: required string`);
    for (const k of Object.keys(o)) if (k !== a && k !== b) errors.push(`${p}.${k}: not a property of a ${kind === 'metadata' ? 'Metadata' : 'Link'} object`);
    if (kind === 'links' && typeof o.url === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(o.url)) errors.push(`${p}.url: must start with a protocol (e.g. https://)`);
  });
}

/** "#rgb", "#rrggbb", or with alpha "#rrggbbaa" as the spec's own second example writes. */
const HEX = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;

export function validateLayer(layer: unknown, path = 'layer'): string[] {
  const errors: string[] = [];
  if (typeOf(layer) !== 'object') return [`${path}: must be an object`];
  const l = layer as Obj;
  props(l, LAYER_PROPS, path, errors);
  if (typeof l.name !== 'string') errors.push(`${path}.name: required`);
  if (!DOMAINS.includes(String(l.domain))) errors.push(`${path}.domain: must be one of ${DOMAINS.join(', ')}`);
  const v = (l.versions ?? {}) as Obj;
  if (l.versions === undefined) errors.push(`${path}.versions: needed to say layer 4.5`);
  else {
    props(v, { attack: 'string', navigator: 'string', layer: 'string' }, `${path}.versions`, errors);
    if (v.layer !== '4.5') errors.push(`${path}.versions.layer: must be "4.5"`);
    if (typeof v.navigator !== 'string' || !semverAtLeast(v.navigator, [4, 9, 0])) errors.push(`${path}.versions.navigator: required, at least "4.9.0"`);
  }
  if (l.sorting !== undefined && ![0, 1, 2, 3].includes(l.sorting as number)) errors.push(`${path}.sorting: must be 0, 1, 2 or 3`);
  if (typeOf(l.filters) === 'object') {
    const f = l.filters as Obj;
    props(f, { platforms: 'array' }, `${path}.filters`, errors);
    for (const p of (f.platforms as unknown[]) ?? []) if (!(PLATFORMS[String(l.domain)] ?? []).includes(String(p))) errors.push(`${path}.filters.platforms: ${String(p)} is not a platform of ${String(l.domain)}`);
  }
  if (typeOf(l.layout) === 'object') {
    const lay = l.layout as Obj;
    props(lay, LAYOUT_PROPS, `${path}.layout`, errors);
    if (lay.layout !== undefined && !['side', 'flat', 'mini'].includes(String(lay.layout))) errors.push(`${path}.layout.layout: side, flat or mini`);
    if (lay.aggregateFunction !== undefined && !['average', 'min', 'max', 'sum'].includes(String(lay.aggregateFunction))) errors.push(`${path}.layout.aggregateFunction: average, min, max or sum`);
    if (lay.expandedSubtechniques !== undefined && !['none', 'all', 'annotated'].includes(String(lay.expandedSubtechniques))) errors.push(`${path}.layout.expandedSubtechniques: none, all or annotated`);
  }
  ((l.techniques as unknown[]) ?? []).forEach((t, i) => {
    const p = `${path}.techniques[${i}]`;
    if (typeOf(t) !== 'object') return void errors.push(`${p}: must be an object`);
    const o = t as Obj;
    props(o, TECHNIQUE_PROPS, p, errors);
    if (typeof o.techniqueID !== 'string' || !/^T\d{4}(\.\d{3})?$/.test(o.techniqueID)) errors.push(`${p}.techniqueID: required, T#### or T####.###`);
    if (o.score !== undefined && !Number.isFinite(o.score)) errors.push(`${p}.score: must be a finite number`);
    if (o.metadata !== undefined) metadataList(o.metadata as unknown[], `${p}.metadata`, errors, 'metadata');
    if (o.links !== undefined) metadataList(o.links as unknown[], `${p}.links`, errors, 'links');
  });
  if (l.gradient !== undefined) {
    const g = l.gradient as Obj;
    props(g, { colors: 'array', minValue: 'number', maxValue: 'number' }, `${path}.gradient`, errors);
    if (!Array.isArray(g.colors) || g.colors.length < 2) errors.push(`${path}.gradient.colors: at least two`);
    else for (const c of g.colors) if (!HEX.test(String(c))) errors.push(`${path}.gradient.colors: ${String(c)} is not a hex colour`);
    if (typeof g.minValue !== 'number' || typeof g.maxValue !== 'number' || !(g.maxValue > g.minValue)) errors.push(`${path}.gradient: maxValue must be > minValue`);
  }
  ((l.legendItems as unknown[]) ?? []).forEach((it, i) => {
    const o = it as Obj;
    props(o, { label: 'string', color: 'string' }, `${path}.legendItems[${i}]`, errors);
    if (typeof o.label !== 'string' || typeof o.color !== 'string') errors.push(`${path}.legendItems[${i}]: label and color required`);
  });
  if (l.metadata !== undefined) metadataList(l.metadata as unknown[], `${path}.metadata`, errors, 'metadata');
  if (l.links !== undefined) metadataList(l.links as unknown[], `${path}.links`, errors, 'links');
  return errors;
}

/** A layer file: one layer, or a list of layers (several open layers downloaded together). */
export function validateLayerFile(json: unknown): string[] {
  if (Array.isArray(json)) return json.flatMap((l, i) => validateLayer(l, `layers[${i}]`));
  return validateLayer(json);
}
