/**
 * CRC-32 (IEEE 802.3, as zlib and PNG use it) of a byte string: the check
 * on every record of the file store's log, so that a record torn by a crash
 * (or zeros left where a crash cut an append short) is told apart from a
 * written one. Node 20 has no zlib.crc32 (it came in 22.2).
 */

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let index = 0; index < bytes.length; index++) crc = TABLE[(crc ^ bytes[index]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
