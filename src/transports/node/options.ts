/** The Node transport's own options: what `ws` and Node's HTTP and TLS stacks take. */
import type { Agent } from 'node:http';
import type { LookupFunction } from 'node:net';
import type { PerMessageDeflateOptions } from 'ws';

/** TLS options passed to Node's `tls.connect` (trust a private CA, client certificates...). */
export interface NodeTlsOptions {
  /** Certificate authorities to trust, e.g. the CA of a self-signed development certificate. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate chain (PEM), for servers that ask for one. */
  cert?: string | Buffer | Array<string | Buffer>;
  /** Client private key (PEM). */
  key?: string | Buffer | Array<string | Buffer>;
  /** Passphrase of `key` or `pfx`. */
  passphrase?: string;
  /** Client key and certificate as PFX / PKCS#12. */
  pfx?: string | Buffer | Array<string | Buffer>;
  /**
   * Default true: refuse servers whose certificate is not trusted. **Dangerous when false**: any
   * machine on the path can then pose as the server, read and change every message, and take
   * the credentials in `headers`. For a development certificate pass `ca` instead.
   */
  rejectUnauthorized?: boolean;
  /** Server name for SNI and certificate checks, when it differs from the URL's host. */
  servername?: string;
}

/** Options of the Node transport (a Node socket's options add them to the common ones). */
export interface NodeTransportOptions {
  /** Extra HTTP headers for the upgrade request (cookies, auth tokens). */
  headers?: Record<string, string>;
  /** The `Origin` header. */
  origin?: string;
  /** Negotiate permessage-deflate (default true, like the seed's asset and `ws`). */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** An HTTP(S) agent, e.g. a proxy agent. */
  agent?: Agent;
  /** TLS settings for `wss:`. */
  tls?: NodeTlsOptions;
  /** Resolve host names yourself (service discovery, a DNS resolver of your own); default: the system's. */
  lookup?: LookupFunction;
}
