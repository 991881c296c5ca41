/** Connection URLs: libpq's unix-socket form, and redaction for logs. */

/**
 * The URL and options postgres.js needs for `url`. libpq's `?host=/socket/dir` (a unix socket folder) is not read
 * by postgres.js, so it becomes the `host` option (a host with a slash is a socket folder there too).
 */
export function connectionTarget(url: string): {url: string; host?: string} {
  const parsed = new URL(url);
  const host = parsed.searchParams.get('host');
  if (host === null || !host.startsWith('/')) return {url};
  parsed.searchParams.delete('host');
  return {url: parsed.toString(), host};
}

/** A connection URL fit for a log: any password replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (key.toLowerCase() === 'password') parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@').replace(/(password=)[^&]*/gi, '$1***');
  }
}

/** A message for a log with every occurrence of `secret` (a password) masked. */
export function redactSecret(message: string, secret: string | undefined): string {
  return secret ? message.split(secret).join('***') : message;
}
