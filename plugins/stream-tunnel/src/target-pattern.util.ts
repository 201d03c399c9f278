/**
 * Allowed-target patterns of a listener access point. A pattern is "host:port" where host is a
 * literal name or address (IPv6 in brackets) or "*", and port is a number, "*" or "low-high".
 * Matching is literal on the host string: the gateway connects to exactly the host it was given,
 * so "db.internal:5432" does not allow "10.0.0.5:5432" even if that is the same machine.
 */
export interface HostPort {
  host: string;
  port: number;
}

export interface TargetPattern {
  host: string | '*';
  portLow: number;
  portHigh: number;
}

/** "10.0.0.5:5432", "[::1]:80", "db:5432" → {host, port}; throws on anything else. */
export function parseHostPort(text: string): HostPort {
  const { host, port } = splitHostPort(text);
  if (host === '*' || !/^\d{1,5}$/.test(port)) throw new Error(`'${text}' is not host:port`);
  const n = Number(port);
  if (n < 1 || n > 65535) throw new Error(`'${text}' has a port outside 1-65535`);
  return { host, port: n };
}

export function parseTargetPattern(text: string): TargetPattern {
  const { host, port } = splitHostPort(text);
  if (port === '*') return { host, portLow: 1, portHigh: 65535 };
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(port);
  if (!m) throw new Error(`bad target pattern '${text}'`);
  const portLow = Number(m[1]);
  const portHigh = m[2] === undefined ? portLow : Number(m[2]);
  if (portLow < 1 || portHigh > 65535 || portLow > portHigh) throw new Error(`bad target pattern '${text}'`);
  return { host, portLow, portHigh };
}

export function targetAllowed(target: HostPort, patterns: readonly string[]): boolean {
  const host = normalizeHost(target.host);
  return patterns.some((p) => {
    const pat = parseTargetPattern(p);
    return (pat.host === '*' || normalizeHost(pat.host) === host) && target.port >= pat.portLow && target.port <= pat.portHigh;
  });
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function splitHostPort(text: string): { host: string; port: string } {
  const t = text.trim();
  const v6 = /^\[([0-9A-Fa-f:.]+)\]:(.+)$/.exec(t);
  if (v6) return { host: v6[1], port: v6[2] };
  const i = t.lastIndexOf(':');
  if (i <= 0 || i === t.length - 1) throw new Error(`'${text}' is not host:port`);
  const host = t.slice(0, i);
  if (host.includes(':')) throw new Error(`'${text}': write IPv6 addresses in brackets, e.g. [::1]:5432`);
  if (host !== '*' && !/^[A-Za-z0-9._-]+$/.test(host)) throw new Error(`'${text}' has a bad host`);
  return { host, port: t.slice(i + 1) };
}

function normalizeHost(h: string): string {
  return h.toLowerCase();
}
