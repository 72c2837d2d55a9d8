/** The shared file patterns of knowledge.ts name the whole path a command read. */
import { describe, expect, it } from 'vitest';
import { SENSITIVE_CONFIG_FILE } from '../../src/correlate/knowledge.js';

const configIn = (command: string) => [...command.matchAll(new RegExp(SENSITIVE_CONFIG_FILE, 'g'))].map((m) => m[0]);

describe('sensitive configuration files', () => {
  it("name an application's own etc directory whole, not from its /etc part", () => {
    expect(configIn('/usr/bin/cat /opt/kestrel/etc/etl.yaml')).toEqual(['/opt/kestrel/etc/etl.yaml']);
    expect(configIn('/usr/bin/cat /etc/app/app.conf /usr/local/etc/x.ini')).toEqual(['/etc/app/app.conf', '/usr/local/etc/x.ini']);
  });
  it('leave paths without an etc directory alone', () => {
    expect(configIn('/usr/bin/cat /opt/kestrel/conf/etl.yaml /home/u/etcetera.yaml')).toEqual([]);
  });
});
