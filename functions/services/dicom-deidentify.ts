/**
 * De-identification of a DICOM Part 10 file by the Basic Application Level Confidentiality Profile (PS3.15 Annex E,
 * the table in dicom-profile.ts): a reader and a writer of the dataset in explicit and implicit VR little endian
 * (PS3.5 §7.1), including sequences, nested items and encapsulated pixel data (§A.4), which is copied as it is.
 * Other transfer syntaxes (big endian, deflated) are refused: their dataset would need another reader.
 *
 * UIDs are replaced by `2.25.` and the decimal of the first 128 bits of an HMAC of the original under a key of the
 * tenant (PS3.5 §B.2 allows a UUID-derived root; the HMAC makes the mapping consistent within the tenant, so two
 * instances of one study keep sharing their study and series, and irreversible without the key).
 */
import { BASIC_PROFILE, BASIC_PROFILE_CODE, BURNED_IN_MODALITIES, profileAction } from "./dicom-profile";

export const EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
export const IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2";

/** The transfer syntaxes whose dataset this reader handles: the two little endian ones and the encapsulated ones. */
export function isSupportedTransferSyntax(uid: string): boolean {
  return (
    uid === EXPLICIT_VR_LITTLE_ENDIAN ||
    uid === IMPLICIT_VR_LITTLE_ENDIAN ||
    // JPEG, JPEG-LS, JPEG 2000, MPEG, HEVC … (PS3.5 §A.4): explicit VR little endian, pixel data encapsulated.
    /^1\.2\.840\.10008\.1\.2\.4\.\d+$/.test(uid) ||
    uid === "1.2.840.10008.1.2.5" // RLE lossless
  );
}

export class DicomFormatError extends Error {
  constructor(
    readonly code: "dicom_transfer_syntax_unsupported" | "dicom_dataset_invalid",
    message: string,
  ) {
    super(message);
    this.name = "DicomFormatError";
  }
}

const TAG = {
  itemStart: 0xfffee000,
  itemEnd: 0xfffee00d,
  sequenceEnd: 0xfffee0dd,
  pixelData: 0x7fe00010,
  modality: 0x00080060,
  burnedInAnnotation: 0x00280301,
  sopClassUid: 0x00080016,
  sopInstanceUid: 0x00080018,
  patientIdentityRemoved: 0x00120062,
  deidentificationMethod: 0x00120063,
  deidentificationMethodCodeSequence: 0x00120064,
  codeValue: 0x00080100,
  codingSchemeDesignator: 0x00080102,
  codeMeaning: 0x00080104,
  transferSyntaxUid: 0x00020010,
} as const;

const UNDEFINED = 0xffffffff;
/** PS3.5 §7.1.2: in explicit VR these have a reserved 2 bytes and a 32-bit length. */
const LONG_VRS = new Set(["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT", "SV", "UV"]);
const IMPLEMENTATION_CLASS_UID = "2.25.206214113452431868066155395931536540722";
const IMPLEMENTATION_VERSION = "VITALIS_DEID_1";

interface Element {
  tag: number;
  /** From the file in explicit VR, from the profile table in implicit VR (null when unknown). */
  vr: string | null;
  value?: Uint8Array;
  items?: Element[][];
  /** Encapsulated pixel data: the fragments and their delimiter, copied byte for byte. */
  encapsulated?: Uint8Array;
}

class Reader {
  private view: DataView;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly explicit: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(offset: number, length: number): void {
    if (offset + length > this.bytes.length)
      throw new DicomFormatError("dicom_dataset_invalid", "A DICOM element runs past the end of the file.");
  }

  private tagAt(offset: number): number {
    this.need(offset, 4);
    return ((this.view.getUint16(offset, true) << 16) | this.view.getUint16(offset + 2, true)) >>> 0;
  }

  /** Elements from `offset` until `end` (or an item delimiter when `end` is undefined-length). */
  dataset(offset: number, end: number, stopAtItemEnd: boolean): { elements: Element[]; next: number } {
    const elements: Element[] = [];
    let at = offset;
    while (at < end) {
      const tag = this.tagAt(at);
      if (tag === TAG.itemEnd) {
        if (!stopAtItemEnd) throw new DicomFormatError("dicom_dataset_invalid", "An item delimiter out of place.");
        return { elements, next: at + 8 };
      }
      const { element, next } = this.element(at, tag);
      elements.push(element);
      at = next;
    }
    if (stopAtItemEnd && end === this.bytes.length)
      throw new DicomFormatError("dicom_dataset_invalid", "An item has no delimiter.");
    return { elements, next: at };
  }

  private element(at: number, tag: number): { element: Element; next: number } {
    let vr: string | null;
    let length: number;
    let valueAt: number;
    if (this.explicit) {
      this.need(at + 4, 4);
      vr = String.fromCharCode(this.bytes[at + 4]!, this.bytes[at + 5]!);
      if (!/^[A-Z]{2}$/.test(vr)) throw new DicomFormatError("dicom_dataset_invalid", "An element has no valid VR.");
      if (LONG_VRS.has(vr)) {
        this.need(at + 8, 4);
        length = this.view.getUint32(at + 8, true);
        valueAt = at + 12;
      } else {
        length = this.view.getUint16(at + 6, true);
        valueAt = at + 8;
      }
    } else {
      this.need(at + 4, 4);
      vr = BASIC_PROFILE.get(tag)?.vr ?? null;
      length = this.view.getUint32(at + 4, true);
      valueAt = at + 8;
    }
    if (tag === TAG.pixelData && length === UNDEFINED) {
      // Encapsulated pixel data: items (the offset table, then fragments) up to the sequence delimiter.
      let cursor = valueAt;
      for (;;) {
        const itemTag = this.tagAt(cursor);
        this.need(cursor + 4, 4);
        const itemLength = this.view.getUint32(cursor + 4, true);
        cursor += 8;
        if (itemTag === TAG.sequenceEnd) break;
        if (itemTag !== TAG.itemStart || itemLength === UNDEFINED)
          throw new DicomFormatError("dicom_dataset_invalid", "Encapsulated pixel data has a malformed fragment.");
        this.need(cursor, itemLength);
        cursor += itemLength;
      }
      return { element: { tag, vr, encapsulated: this.bytes.subarray(valueAt, cursor) }, next: cursor };
    }
    const isSequence =
      vr === "SQ" ||
      (vr === "UN" && length === UNDEFINED) ||
      (!this.explicit &&
        (length === UNDEFINED ||
          (length >= 8 && valueAt + 4 <= this.bytes.length && this.tagAt(valueAt) === TAG.itemStart)));
    if (isSequence) {
      const items: Element[][] = [];
      let cursor = valueAt;
      const end = length === UNDEFINED ? this.bytes.length : valueAt + length;
      if (length !== UNDEFINED) this.need(valueAt, length);
      // A UN of undefined length is a sequence in implicit VR little endian (PS3.5 §6.2.2).
      const inner = vr === "UN" && this.explicit ? new Reader(this.bytes, false) : this;
      while (cursor < end) {
        const itemTag = this.tagAt(cursor);
        this.need(cursor + 4, 4);
        const itemLength = this.view.getUint32(cursor + 4, true);
        cursor += 8;
        if (itemTag === TAG.sequenceEnd) break;
        if (itemTag !== TAG.itemStart)
          throw new DicomFormatError("dicom_dataset_invalid", "A sequence has a non-item.");
        if (itemLength === UNDEFINED) {
          const read = inner.dataset(cursor, this.bytes.length, true);
          items.push(read.elements);
          cursor = read.next;
        } else {
          this.need(cursor, itemLength);
          items.push(inner.dataset(cursor, cursor + itemLength, false).elements);
          cursor += itemLength;
        }
      }
      return { element: { tag, vr: vr === "UN" ? "SQ" : vr, items }, next: cursor };
    }
    if (length === UNDEFINED) throw new DicomFormatError("dicom_dataset_invalid", "An undefined length on a value.");
    this.need(valueAt, length);
    return { element: { tag, vr, value: this.bytes.subarray(valueAt, valueAt + length) }, next: valueAt + length };
  }
}

const latin1 = new TextDecoder("latin1");
const encodeAscii = (text: string): Uint8Array => Uint8Array.from(text, (char) => char.charCodeAt(0) & 0xff);
const valueText = (value: Uint8Array | undefined): string =>
  value
    ? latin1
        .decode(value)
        .replace(/[\0 ]+$/, "")
        .trim()
    : "";

/** A dummy value of the VR for action D (E.3.1): not identifying, valid for the VR. */
function dummy(vr: string | null): Uint8Array {
  switch (vr) {
    case "DA":
      return encodeAscii("19000101");
    case "TM":
      return encodeAscii("000000");
    case "DT":
      return encodeAscii("19000101000000");
    case "PN":
    case "LO":
    case "SH":
    case "CS":
    case "LT":
    case "ST":
    case "UT":
      return encodeAscii("ANONYMIZED");
    default:
      return new Uint8Array();
  }
}

export type UidMapper = (uid: string) => Promise<string>;

export interface DeidentifyResult {
  bytes: Uint8Array;
  transferSyntaxUid: string;
  modality: string | null;
  /** Burned In Annotation said YES, or is absent on a modality that burns text in: a person must look. */
  burnedInAnnotationReview: boolean;
  /** Attributes removed (X, private, curves, overlays), emptied (Z), replaced (D) and UIDs replaced (U). */
  counts: { removed: number; emptied: number; replaced: number; uids: number };
}

interface Counts {
  removed: number;
  emptied: number;
  replaced: number;
  uids: number;
}

async function applyProfile(elements: Element[], mapUid: UidMapper, counts: Counts): Promise<Element[]> {
  const out: Element[] = [];
  for (const element of elements) {
    const action = profileAction(element.tag);
    if (action === "X") {
      counts.removed += 1;
      continue;
    }
    if (action === "Z") {
      counts.emptied += 1;
      out.push(
        element.items
          ? { tag: element.tag, vr: element.vr, items: [] }
          : { tag: element.tag, vr: element.vr, value: new Uint8Array() },
      );
      continue;
    }
    if (action === "D") {
      counts.replaced += 1;
      out.push(
        element.items
          ? { tag: element.tag, vr: element.vr, items: [] }
          : { tag: element.tag, vr: element.vr, value: dummy(element.vr) },
      );
      continue;
    }
    if (action === "U" && element.value) {
      const uids = valueText(element.value)
        .split("\\")
        .filter((uid) => uid !== "");
      const mapped = await Promise.all(uids.map(mapUid));
      counts.uids += mapped.length;
      out.push({ tag: element.tag, vr: element.vr ?? "UI", value: encodeAscii(mapped.join("\\")) });
      continue;
    }
    if (element.items) {
      // K, U* on a sequence, or a sequence the table does not name: its items go through the same table.
      const items: Element[][] = [];
      for (const item of element.items) items.push(await applyProfile(item, mapUid, counts));
      out.push({ ...element, items });
      continue;
    }
    out.push(element);
  }
  return out;
}

// ---- writer ----------------------------------------------------------------------------------------

class Writer {
  private chunks: Uint8Array[] = [];
  length = 0;

  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  header(tag: number, vr: string | null, length: number, explicit: boolean): void {
    const long = !explicit || vr === null || LONG_VRS.has(vr);
    const bytes = new Uint8Array(explicit ? (long ? 12 : 8) : 8);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, tag >>> 16, true);
    view.setUint16(2, tag & 0xffff, true);
    if (!explicit) {
      view.setUint32(4, length, true);
    } else {
      const name = vr ?? "UN";
      bytes[4] = name.charCodeAt(0);
      bytes[5] = name.charCodeAt(1);
      if (long) view.setUint32(8, length, true);
      else view.setUint16(6, length, true);
    }
    this.push(bytes);
  }

  dataset(elements: Element[], explicit: boolean): void {
    for (const element of [...elements].sort((a, b) => a.tag - b.tag)) {
      if (element.encapsulated) {
        this.header(element.tag, element.vr ?? "OB", UNDEFINED, explicit);
        this.push(element.encapsulated);
      } else if (element.items) {
        // Sequences and items are written with undefined lengths and delimiters (PS3.5 §7.5), always valid.
        this.header(element.tag, "SQ", UNDEFINED, explicit);
        for (const item of element.items) {
          this.header(TAG.itemStart, null, UNDEFINED, false);
          this.dataset(item, explicit);
          this.header(TAG.itemEnd, null, 0, false);
        }
        this.header(TAG.sequenceEnd, null, 0, false);
      } else {
        const value = padded(element.value ?? new Uint8Array(), element.vr);
        if (explicit && element.vr !== null && !LONG_VRS.has(element.vr) && value.length > 0xffff)
          throw new DicomFormatError("dicom_dataset_invalid", "A short-VR value is longer than 64 KiB.");
        this.header(element.tag, element.vr, value.length, explicit);
        this.push(value);
      }
    }
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}

/** PS3.5 §6.2: values have an even length; UI and binary VRs pad with NUL, text with a space. */
function padded(value: Uint8Array, vr: string | null): Uint8Array {
  if (value.length % 2 === 0) return value;
  const out = new Uint8Array(value.length + 1);
  out.set(value);
  out[value.length] = vr === "UI" || vr === "OB" || vr === "UN" || vr === null ? 0x00 : 0x20;
  return out;
}

const text = (tag: number, vr: string, value: string): Element => ({ tag, vr, value: encodeAscii(value) });

/**
 * De-identifies a whole Part 10 file. Throws `DicomFormatError` for a file this reader refuses. `mapUid` turns an
 * original UID into its replacement (the same one every time within the tenant).
 */
export async function deidentifyDicom(file: Uint8Array, mapUid: UidMapper): Promise<DeidentifyResult> {
  if (file.length < 132 || latin1.decode(file.subarray(128, 132)) !== "DICM")
    throw new DicomFormatError("dicom_dataset_invalid", "The file has no DICM prefix at offset 128 (PS3.10 §7.1).");
  // The File Meta Information: group 0002, always explicit VR little endian.
  const metaReader = new Reader(file, true);
  const meta: Element[] = [];
  let at = 132;
  while (at + 4 <= file.length && new DataView(file.buffer, file.byteOffset + at, 2).getUint16(0, true) === 0x0002) {
    const read = metaReader.dataset(at, at + 1, false);
    meta.push(...read.elements);
    at = read.next;
  }
  const transferSyntaxUid = valueText(meta.find((element) => element.tag === TAG.transferSyntaxUid)?.value);
  if (!isSupportedTransferSyntax(transferSyntaxUid))
    throw new DicomFormatError(
      "dicom_transfer_syntax_unsupported",
      `Transfer syntax ${transferSyntaxUid || "(none)"} is not supported: only explicit or implicit VR little endian, with native or encapsulated pixel data.`,
    );
  const explicit = transferSyntaxUid !== IMPLICIT_VR_LITTLE_ENDIAN;
  const dataset = new Reader(file, explicit).dataset(at, file.length, false).elements;

  const find = (tag: number) => dataset.find((element) => element.tag === tag);
  const modality = valueText(find(TAG.modality)?.value) || null;
  const burnedIn = valueText(find(TAG.burnedInAnnotation)?.value).toUpperCase();
  const burnedInAnnotationReview =
    burnedIn === "YES" || (burnedIn === "" && modality !== null && BURNED_IN_MODALITIES.has(modality));

  const counts: Counts = { removed: 0, emptied: 0, replaced: 0, uids: 0 };
  const cleaned = await applyProfile(dataset, mapUid, counts);
  // PS3.15 E.1.1: say that the identity was removed and how (CID 7050).
  const marks = new Set<number>([
    TAG.patientIdentityRemoved,
    TAG.deidentificationMethod,
    TAG.deidentificationMethodCodeSequence,
  ]);
  const out = cleaned.filter((element) => !marks.has(element.tag));
  out.push(
    text(TAG.patientIdentityRemoved, "CS", "YES"),
    text(TAG.deidentificationMethod, "LO", "DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile"),
    {
      tag: TAG.deidentificationMethodCodeSequence,
      vr: "SQ",
      items: [
        [
          text(TAG.codeValue, "SH", BASIC_PROFILE_CODE.value),
          text(TAG.codingSchemeDesignator, "SH", BASIC_PROFILE_CODE.scheme),
          text(TAG.codeMeaning, "LO", BASIC_PROFILE_CODE.meaning),
        ],
      ],
    },
  );

  const sopClassUid = valueText(out.find((element) => element.tag === TAG.sopClassUid)?.value);
  const sopInstanceUid = valueText(out.find((element) => element.tag === TAG.sopInstanceUid)?.value);
  if (!sopClassUid || !sopInstanceUid)
    throw new DicomFormatError("dicom_dataset_invalid", "The dataset has no SOP Class or SOP Instance UID.");

  // The File Meta Information rebuilt (PS3.10 §7.1): nothing of the source's (its AE titles name the sender).
  const metaElements: Element[] = [
    { tag: 0x00020001, vr: "OB", value: Uint8Array.from([0, 1]) },
    text(0x00020002, "UI", sopClassUid),
    text(0x00020003, "UI", sopInstanceUid),
    text(0x00020010, "UI", transferSyntaxUid),
    text(0x00020012, "UI", IMPLEMENTATION_CLASS_UID),
    text(0x00020013, "SH", IMPLEMENTATION_VERSION),
  ];
  const metaBody = new Writer();
  metaBody.dataset(metaElements, true);
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, metaBody.length, true);

  const writer = new Writer();
  const preamble = new Uint8Array(132); // a zeroed preamble: the source's could carry anything
  preamble.set(encodeAscii("DICM"), 128);
  writer.push(preamble);
  writer.header(0x00020000, "UL", 4, true);
  writer.push(groupLength);
  writer.push(metaBody.bytes());
  writer.dataset(out, explicit);
  return { bytes: writer.bytes(), transferSyntaxUid, modality, burnedInAnnotationReview, counts };
}

/**
 * `2.25.` + the decimal of the first 128 bits of an HMAC (hex) of the original UID: at most 44 characters, within
 * the 64 of a UI value (PS3.5 §9.1).
 */
export function uidFromDigest(hex: string): string {
  return `2.25.${BigInt(`0x${hex.slice(0, 32)}`).toString(10)}`;
}
