/**
 * DNS rebinding: a foreign page can make its own host name resolve to 127.0.0.1 and then talk to a
 * local service as its own origin, past every CORS and CSRF check. A service listening on loopback
 * therefore answers only requests addressed to a loopback name (localhost, *.localhost, an IP
 * literal) or to a host listed in ALLOWED_HOSTS (e.g. the name a reverse proxy forwards). On a
 * public address the Host is whatever clients use, and API keys guard the service instead.
 */
import { isIP } from 'node:net';

export interface HostPolicy {
  /** Checked only when the service listens on loopback. */
  readonly enforced: boolean;
  /** Extra host names allowed (lower case, no port); `*` allows any. */
  readonly hosts: readonly string[];
}

/** ALLOWED_HOSTS: comma separated host names; a malformed one stops the start with its name. */
export function parseAllowedHosts(value: string | undefined): string[] {
  const hosts = (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  for (const h of hosts) {
    if (h !== '*' && !/^[a-z0-9.-]+$/.test(h)) throw new Error(`ALLOWED_HOSTS: ${JSON.stringify(h.slice(0, 100))} is not a host name (no scheme, port or path)`);
  }
  return hosts;
}

export function hostPolicyFor(listenHost: string, hosts: readonly string[]): HostPolicy {
  return { enforced: isLoopback(listenHost), hosts };
}

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Whether a request with this Host header may be answered. */
export function hostAllowed(policy: HostPolicy, hostHeader: string | undefined): boolean {
  if (!policy.enforced || policy.hosts.includes('*')) return true;
  if (!hostHeader) return false;
  const name = hostName(hostHeader);
  if (name === undefined) return false;
  return name === 'localhost' || name.endsWith('.localhost') || isIP(name.replace(/^\[|\]$/g, '')) !== 0 || policy.hosts.includes(name);
}

/** The host name of a Host header, without the port ("[::1]:4000" -> "[::1]"). */
function hostName(hostHeader: string): string | undefined {
  try {
    return new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}
