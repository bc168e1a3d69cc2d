import type { BytePatch } from './byte-patch.ts';

// XMP keeps GPS as properties of the exif namespace (exif:GPSLatitude…), and
// drones and apps add their own (drone-dji:GpsLatitude): any property whose
// local name starts with "GPS", in any case, written as an element or as an
// attribute of rdf:Description.
const ELEMENT = /<([\w.-]+:gps[\w.-]*)\b[^>]*?(?:\/>|>[\s\S]*?<\/\1\s*>)/gi;
const ATTRIBUTE = /[\w.-]+:gps[\w.-]*\s*=\s*(?:"[^"]*"|'[^']*')/gi;
const SPACE = 0x20;

/**
 * Patches that overwrite the GPS properties of an XMP packet with spaces:
 * whitespace between elements and between attributes is insignificant, so
 * the packet stays well formed and every other property stays where it was.
 *
 * @param offset where the packet starts in the file
 */
export function xmpGpsPatches(packet: Uint8Array, offset: number): BytePatch[] {
  // latin1 maps each byte to one character: string indexes are byte offsets.
  let text = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength).toString('latin1');
  const patches: BytePatch[] = [];
  for (const pattern of [ELEMENT, ATTRIBUTE]) {
    for (const match of text.matchAll(pattern)) {
      patches.push({
        offset: offset + match.index,
        bytes: new Uint8Array(match[0].length).fill(SPACE),
      });
      // Elements first, blanked before attributes are looked for, so none is counted twice.
      text =
        text.slice(0, match.index) +
        ' '.repeat(match[0].length) +
        text.slice(match.index + match[0].length);
    }
  }
  return patches;
}
