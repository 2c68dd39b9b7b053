/** Sizes as people read them, in the units of `--body-limit 10mb` (powers of 1024, as the flags read them). */
const UNITS = ["KB", "MB", "GB"];

/** `100 bytes`, `512 KB`, `1.5 MB`, `10 MB`: one decimal at most, none when whole. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? "" : "s"}`;
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toFixed(1))} ${UNITS[unit]}`;
}
