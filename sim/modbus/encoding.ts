// Register encodings of the maps in sim/README.md, written for the simulator alone (lib/metering has its own).

/** Unsigned 16-bit register; values outside 0…65535 saturate, as a meter's firmware clamps its display. */
export function u16(value: number): number {
  return Math.min(0xffff, Math.max(0, Math.round(value)));
}

/** Signed 16-bit as the register's two's complement; saturates at −32768…32767. */
export function s16(value: number): number {
  return Math.min(0x7fff, Math.max(-0x8000, Math.round(value))) & 0xffff;
}

/** 32-bit value to [high, low] words (ABCD); negative numbers as two's complement. */
export function words32(value: number | bigint): [number, number] {
  const v = BigInt.asUintN(32, BigInt(value));
  return [Number(v >> 16n), Number(v & 0xffffn)];
}

/** Saturating signed 32-bit, high word first. */
export function s32Abcd(value: number): number[] {
  return words32(Math.min(0x7fffffff, Math.max(-0x80000000, Math.round(value))));
}

/** Signed 32-bit, low word first (CDAB). */
export function s32Cdab(value: number): number[] {
  return s32Abcd(value).reverse();
}

/** Unsigned 32-bit, high word first; a count wraps modulo 2^32 as the register does. */
export function u32Abcd(value: number | bigint): number[] {
  return words32(typeof value === 'bigint' ? value : Math.max(0, Math.round(value)));
}

/** Unsigned 64-bit, low word first (CDAB for four words: least significant word at the lowest address). */
export function u64Cdab(value: bigint): number[] {
  const v = BigInt.asUintN(64, value);
  return [0n, 16n, 32n, 48n].map((shift) => Number((v >> shift) & 0xffffn));
}

/** IEEE 754 single precision, high word first. */
export function float32Abcd(value: number): number[] {
  const buf = Buffer.alloc(4);
  buf.writeFloatBE(value, 0);
  return [buf.readUInt16BE(0), buf.readUInt16BE(2)];
}

/** SunSpec string: ASCII, two characters per register, first character in the high byte, NUL padded. */
export function sunspecString(text: string, registers: number): number[] {
  const buf = Buffer.alloc(registers * 2);
  buf.write(text.slice(0, registers * 2), 'ascii');
  return Array.from({ length: registers }, (_, i) => buf.readUInt16BE(i * 2));
}
