/** `4194304` → `4 MiB`, `1536` → `1.5 KiB`. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return `${n} bytes`;
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}
