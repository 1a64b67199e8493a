/** The command as typed, with the variables that changed the run (a Redis URL without credentials). */
export function commandLine(script: string): string {
  const vars = Object.entries(process.env)
    .filter(([name]) => name.startsWith('BENCH_'))
    .map(([name, value]) => `${name}=${String(value)}`);
  if (process.env.REDIS_URL) {
    const url = new URL(process.env.REDIS_URL);
    vars.push(`REDIS_URL=${url.protocol}//${url.host}${url.pathname}`);
  }
  return [...vars, `npm run ${script}`].join(' ');
}
