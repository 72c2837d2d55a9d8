/**
 * An OCSF event validator compiled from the published OCSF 1.8.0 schema source
 * (../shared/specs/ocsf: dictionary, categories, events, objects, profiles), the way the OCSF
 * compiler builds a class:
 *
 * - a class is its `extends` chain (base_event → category parent → class), attributes merged from
 *   the root down; `$include`d profiles add attributes that belong to that profile;
 * - each attribute takes its type, array-ness, enum and sibling from the dictionary, with the
 *   class's or object's own definition merged over it (enums merge: 0/99 from the dictionary plus
 *   the class's values);
 * - objects are compiled the same way from objects/*.json (with their own `extends` and includes),
 *   and `observable.type_id`'s enum is the set of observable type ids declared by types, dictionary
 *   attributes and objects.
 *
 * An event is then checked for: the class by class_uid; category_uid and type_uid
 * (= class_uid × 100 + activity_id); every required attribute, recursively in objects; class and
 * object constraints (at_least_one, just_one); enum values (activity_id, severity_id, status_id,
 * every *_id); sibling captions (activity_name, severity, status, type, …) matching the enum,
 * except for 99 Other; scalar types with their regex and range (ip_t, port_t, timestamp_t,
 * datetime_t, …); no attribute that the class does not define; profile attributes only when the
 * profile is declared in metadata.profiles, which must be profiles the class supports (`datetime`
 * adds a `<name>_dt` datetime_t attribute for every timestamp_t one).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

type Json = Record<string, any>;

export interface AttrDef {
  name: string;
  requirement: string;
  type: string;
  isArray: boolean;
  enum?: Record<string, { caption: string }>;
  sibling?: string;
  /** Set when the attribute comes from a profile (allowed only when the profile is declared). */
  profile?: string;
}

export interface Compiled {
  name: string;
  caption: string;
  attributes: Map<string, AttrDef>;
  constraints: Json;
}

export interface CompiledClass extends Compiled {
  uid: number;
  categoryUid: number;
  categoryCaption: string;
  profiles: Set<string>;
}

export class OcsfSchema {
  readonly version: string;
  private readonly dict: Json;
  private readonly types: Json;
  private readonly events = new Map<string, Json>();
  private readonly objects = new Map<string, Json>();
  private readonly categories: Json;
  private readonly classCache = new Map<number, CompiledClass>();
  private readonly objectCache = new Map<string, Compiled>();

  constructor(private readonly dir: string) {
    const load = (p: string) => JSON.parse(readFileSync(join(dir, p), 'utf8')) as Json;
    this.version = load('version.json').version as string;
    const d = load('dictionary.json');
    this.dict = d.attributes;
    this.types = d.types.attributes;
    this.categories = load('categories.json').attributes;
    const walk = (rel: string) => {
      for (const n of readdirSync(join(dir, rel))) {
        const p = join(rel, n);
        if (statSync(join(dir, p)).isDirectory()) walk(p);
        else if (n.endsWith('.json')) {
          const j = load(p);
          this.events.set(j.name, j);
        }
      }
    };
    walk('events');
    for (const n of readdirSync(join(dir, 'objects'))) {
      const j = load(join('objects', n));
      this.objects.set(j.name, j);
    }
  }

  private load(rel: string): Json {
    return JSON.parse(readFileSync(join(this.dir, rel), 'utf8')) as Json;
  }

  /** Attributes of one definition file, with its includes (profiles) marked. */
  private own(def: Json): Map<string, Json> {
    const out = new Map<string, Json>();
    const attrs = (def.attributes ?? {}) as Json;
    const inc = attrs.$include;
    for (const p of (Array.isArray(inc) ? inc : inc ? [inc] : []) as string[]) {
      const prof = this.load(p);
      for (const [k, v] of Object.entries(prof.attributes ?? {})) out.set(k, { ...(v as Json), profile: prof.name });
    }
    for (const [k, v] of Object.entries(attrs)) {
      if (k === '$include') continue;
      const prev = out.get(k);
      const merged = mergeDef(prev ?? {}, v as Json);
      // Defined by the file itself: native, unless it names a profile.
      merged.profile = (v as Json).profile ?? null;
      out.set(k, merged);
    }
    return out;
  }

  private compileChain(chain: Json[], name: string, caption: string): Compiled {
    const merged = new Map<string, Json>();
    let constraints: Json = {};
    for (const def of chain) {
      for (const [k, v] of this.own(def)) merged.set(k, mergeDef(merged.get(k) ?? {}, v, v.profile !== undefined));
      if (def.constraints) constraints = def.constraints;
    }
    const attributes = new Map<string, AttrDef>();
    for (const [k, v] of merged) {
      const d = (this.dict[k] ?? {}) as Json;
      const en = mergeEnum(d.enum, v.enum);
      attributes.set(k, {
        name: k,
        requirement: v.requirement ?? 'optional',
        type: v.type ?? d.type ?? 'string_t',
        isArray: Boolean(v.is_array ?? d.is_array),
        enum: en,
        sibling: v.sibling ?? d.sibling,
        profile: v.profile ?? undefined,
      });
    }
    return { name, caption, attributes, constraints };
  }

  classByUid(uid: number): CompiledClass | undefined {
    if (this.classCache.has(uid)) return this.classCache.get(uid);
    for (const ev of this.events.values()) {
      const chain: Json[] = [];
      for (let e: Json | undefined = ev; e; e = e.extends ? this.events.get(e.extends) : undefined) chain.unshift(e);
      const category = chain.map((c) => c.category).filter(Boolean).pop() as string | undefined;
      const cat = category && category !== 'other' ? (this.categories[category] as Json | undefined) : undefined;
      const categoryUid = cat?.uid ?? 0;
      const classUid = ev.name === 'base_event' ? 0 : ev.uid !== undefined ? categoryUid * 1000 + ev.uid : -1;
      if (classUid !== uid) continue;
      const c = this.compileChain(chain, ev.name, ev.caption);
      // The compiled class knows its own uids (the base event's enums only hold 0).
      c.attributes.get('class_uid')!.enum = { [String(classUid)]: { caption: ev.caption } };
      c.attributes.get('category_uid')!.enum = { [String(categoryUid)]: { caption: cat?.caption ?? 'Uncategorized' } };
      const profiles = new Set<string>(chain.flatMap((x) => (x.profiles ?? []) as string[]));
      const compiled: CompiledClass = { ...c, uid, categoryUid, categoryCaption: cat?.caption ?? 'Uncategorized', profiles };
      this.classCache.set(uid, compiled);
      return compiled;
    }
    return undefined;
  }

  object(name: string): Compiled | undefined {
    if (this.objectCache.has(name)) return this.objectCache.get(name);
    const def = this.objects.get(name);
    if (!def) return undefined;
    const chain: Json[] = [];
    for (let o: Json | undefined = def; o; o = o.extends ? this.objects.get(o.extends) : undefined) chain.unshift(o);
    const c = this.compileChain(chain, name, def.caption);
    if (name === 'observable') {
      const t = c.attributes.get('type_id')!;
      t.enum = { ...t.enum, ...this.observableTypes() };
    }
    this.objectCache.set(name, c);
    return c;
  }

  /** Observable type ids declared across the schema (types, dictionary attributes, objects). */
  private observableTypes(): Record<string, { caption: string }> {
    const out: Record<string, { caption: string }> = {};
    for (const v of Object.values(this.types) as Json[]) if (v.observable !== undefined) out[String(v.observable)] = { caption: v.caption };
    for (const v of Object.values(this.dict) as Json[]) if (v.observable !== undefined) out[String(v.observable)] = { caption: v.caption };
    for (const v of this.objects.values()) if (v.observable !== undefined) out[String(v.observable)] = { caption: v.caption };
    return out;
  }

  /** Problems with one event (empty = valid). */
  validate(ev: Json): string[] {
    const errors: string[] = [];
    const cls = typeof ev.class_uid === 'number' ? this.classByUid(ev.class_uid) : undefined;
    if (!cls) return [`class_uid ${JSON.stringify(ev.class_uid)} is not a known class`];
    const declared = new Set<string>(Array.isArray(ev.metadata?.profiles) ? (ev.metadata.profiles as string[]) : []);
    for (const p of declared) if (!cls.profiles.has(p)) errors.push(`metadata.profiles: ${p} is not a profile of ${cls.name}`);
    if (ev.category_uid !== cls.categoryUid) errors.push(`category_uid ${ev.category_uid} ≠ ${cls.categoryUid}`);
    if (ev.type_uid !== cls.uid * 100 + ev.activity_id) errors.push(`type_uid ${ev.type_uid} ≠ class_uid*100+activity_id = ${cls.uid * 100 + ev.activity_id}`);
    if (ev.class_name !== undefined && ev.class_name !== cls.caption) errors.push(`class_name "${ev.class_name}" ≠ "${cls.caption}"`);
    if (ev.category_name !== undefined && ev.category_name !== cls.categoryCaption) errors.push(`category_name "${ev.category_name}" ≠ "${cls.categoryCaption}"`);
    const act = cls.attributes.get('activity_id')?.enum?.[String(ev.activity_id)]?.caption;
    if (ev.type_name !== undefined && act && ev.type_name !== `${cls.caption}: ${act}`) errors.push(`type_name "${ev.type_name}" ≠ "${cls.caption}: ${act}"`);
    if (ev.metadata?.version !== this.version) errors.push(`metadata.version ${JSON.stringify(ev.metadata?.version)} ≠ ${this.version}`);
    this.checkObject(ev, cls, '', declared, errors);
    return errors;
  }

  private checkObject(value: Json, def: Compiled, path: string, declared: Set<string>, errors: string[]): void {
    const at = (k: string) => (path ? `${path}.${k}` : k);
    for (const a of def.attributes.values()) {
      const active = !a.profile || declared.has(a.profile);
      if (a.requirement === 'required' && active && (value[a.name] === undefined || value[a.name] === null)) errors.push(`${at(a.name)}: required by ${def.name}`);
    }
    const c = def.constraints ?? {};
    if (Array.isArray(c.at_least_one) && !(c.at_least_one as string[]).some((k) => value[k] !== undefined && value[k] !== null)) errors.push(`${path || def.name}: needs at least one of ${c.at_least_one.join(', ')}`);
    if (Array.isArray(c.just_one) && (c.just_one as string[]).filter((k) => value[k] !== undefined && value[k] !== null).length !== 1) errors.push(`${path || def.name}: needs exactly one of ${c.just_one.join(', ')}`);
    for (const [k, v] of Object.entries(value)) {
      let a = def.attributes.get(k);
      if (!a && declared.has('datetime') && k.endsWith('_dt')) {
        const base = def.attributes.get(k.slice(0, -3));
        if (base && base.type === 'timestamp_t') a = { name: k, requirement: 'optional', type: 'datetime_t', isArray: base.isArray };
      }
      if (!a) {
        errors.push(`${at(k)}: not an attribute of ${def.name}`);
        continue;
      }
      if (a.profile && !declared.has(a.profile)) errors.push(`${at(k)}: belongs to profile ${a.profile}, not declared in metadata.profiles`);
      if (v === null) {
        errors.push(`${at(k)}: null (leave absent attributes out)`);
        continue;
      }
      if (a.isArray) {
        if (!Array.isArray(v)) errors.push(`${at(k)}: must be an array`);
        else v.forEach((item, i) => this.checkValue(item, a!, `${at(k)}[${i}]`, declared, errors));
      } else this.checkValue(v, a, at(k), declared, errors);
      if (a.enum && a.sibling && value[a.sibling] !== undefined && v !== 99) {
        const caption = a.enum[String(v)]?.caption;
        if (caption && value[a.sibling] !== caption) errors.push(`${at(a.sibling)}: "${value[a.sibling]}" ≠ caption "${caption}" of ${k} ${v}`);
      }
    }
  }

  private checkValue(v: unknown, a: AttrDef, path: string, declared: Set<string>, errors: string[]): void {
    if (a.enum && Object.keys(a.enum).length > 0 && !(String(v) in a.enum)) errors.push(`${path}: ${JSON.stringify(v)} is not in the enum (${Object.keys(a.enum).join(', ')})`);
    if (a.type.endsWith('_t')) {
      const problem = this.scalarProblem(v, a.type);
      if (problem) errors.push(`${path}: ${problem}`);
      return;
    }
    if (a.type === 'object') {
      if (!v || typeof v !== 'object' || Array.isArray(v)) errors.push(`${path}: must be an object`);
      return;
    }
    const obj = this.object(a.type);
    if (!obj) {
      errors.push(`${path}: unknown object type ${a.type}`);
      return;
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      errors.push(`${path}: must be a ${a.type} object`);
      return;
    }
    this.checkObject(v as Json, obj, path, declared, errors);
  }

  private scalarProblem(v: unknown, type: string): string | null {
    const chain: Json[] = [];
    for (let t: string | undefined = type; t; t = (this.types[t] as Json | undefined)?.type) chain.push({ name: t, ...(this.types[t] as Json) });
    const prim = chain[chain.length - 1]!.name as string;
    switch (prim) {
      case 'string_t':
        if (typeof v !== 'string') return `${type} must be a string`;
        break;
      case 'integer_t':
      case 'long_t':
        if (typeof v !== 'number' || !Number.isInteger(v)) return `${type} must be an integer`;
        break;
      case 'float_t':
        if (typeof v !== 'number') return `${type} must be a number`;
        break;
      case 'boolean_t':
        if (typeof v !== 'boolean') return `${type} must be true or false`;
        break;
      case 'json_t':
        break;
      default:
        return `unknown type ${type}`;
    }
    for (const t of chain) {
      if (t.regex && typeof v === 'string' && !new RegExp(t.regex as string).test(v)) return `${JSON.stringify(v)} does not match ${t.name}`;
      if (t.max_len && typeof v === 'string' && v.length > t.max_len) return `longer than ${t.max_len} (${t.name})`;
      if (Array.isArray(t.range) && typeof v === 'number' && (v < t.range[0] || v > t.range[1])) return `${v} outside ${t.range.join('–')} (${t.name})`;
    }
    return null;
  }
}

function mergeEnum(a?: Json, b?: Json): Record<string, { caption: string }> | undefined {
  if (!a && !b) return undefined;
  return { ...(a ?? {}), ...(b ?? {}) } as Record<string, { caption: string }>;
}

function mergeDef(prev: Json, next: Json, keepProfile = true): Json {
  const out: Json = { ...prev, ...next };
  if (prev.enum || next.enum) out.enum = { ...(prev.enum ?? {}), ...(next.enum ?? {}) };
  if (!keepProfile) delete out.profile;
  return out;
}
