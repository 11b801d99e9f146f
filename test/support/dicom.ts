/**
 * DICOM files for tests, made by a tool nobody here wrote: DCMTK's dump2dcm (Debian package `dcmtk`)
 * turns a textual dump into a Part 10 file with its own File Meta Information. Each call gets fresh UIDs.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface DicomOptions {
  modality?: string;
  studyDate?: string;
  patientName?: string | null;
  patientId?: string | null;
  patientBirthDate?: string | null;
  /** Bytes of pixel data to append (OW, so an even count), to make large files. */
  pixelBytes?: number;
  /** The dataset's transfer syntax (dump2dcm's --write-xfer-*): explicit little endian by default. */
  transferSyntax?: "little" | "implicit" | "big";
  /** Reuse a study (or series) UID, for several instances of one study. */
  studyUid?: string;
  seriesUid?: string;
  /** More lines of the dump (dcmdump's format: sequences, items, private attributes …). */
  extraLines?: string[];
}

let counter = 0;

export function uid(): string {
  counter += 1;
  return `1.2.826.0.1.3680043.8.498.${Date.now()}${counter}`;
}

export async function makeDicom(
  options: DicomOptions = {},
): Promise<{ bytes: Uint8Array; studyUid: string; seriesUid: string; sopUid: string }> {
  const dir = await mkdtemp(join(tmpdir(), "vitalis-dcm-"));
  const studyUid = options.studyUid ?? uid();
  const seriesUid = options.seriesUid ?? uid();
  const sopUid = uid();
  const pixels = Math.max(2, options.pixelBytes ?? 8);
  const side = 2;
  const lines = [
    "(0008,0016) UI =CTImageStorage",
    `(0008,0018) UI [${sopUid}]`,
    `(0008,0020) DA [${options.studyDate ?? "20240115"}]`,
    `(0008,0060) CS [${options.modality ?? "CT"}]`,
    options.patientName === null ? null : `(0010,0010) PN [${options.patientName ?? "Silva^Maria"}]`,
    options.patientId === null ? null : `(0010,0020) LO [${options.patientId ?? "PAT-0001"}]`,
    options.patientBirthDate === null ? null : `(0010,0030) DA [${options.patientBirthDate ?? "19800101"}]`,
    `(0020,000d) UI [${studyUid}]`,
    `(0020,000e) UI [${seriesUid}]`,
    "(0028,0002) US 1",
    "(0028,0004) CS [MONOCHROME2]",
    `(0028,0010) US ${side}`,
    `(0028,0011) US ${side}`,
    "(0028,0100) US 16",
    "(0028,0101) US 16",
    "(0028,0102) US 15",
    "(0028,0103) US 0",
    ...(options.extraLines ?? []),
  ].filter((line): line is string => line !== null);
  const xfer = options.transferSyntax ?? "little";
  try {
    await writeFile(join(dir, "in.dump"), `${lines.join("\n")}\n`);
    await run("dump2dcm", [`--write-xfer-${xfer}`, join(dir, "in.dump"), join(dir, "out.dcm")]);
    let bytes = new Uint8Array(await readFile(join(dir, "out.dcm")));
    // The appended element below is little endian; a big-endian file keeps dump2dcm's output as it is.
    if (xfer === "big") return { bytes, studyUid, seriesUid, sopUid };
    // dump2dcm writes pixel data from the dump; for large files append an explicit-VR OW element instead.
    const pixelHeader = new Uint8Array(xfer === "implicit" ? 8 : 12);
    const view = new DataView(pixelHeader.buffer);
    view.setUint16(0, 0x7fe0, true);
    view.setUint16(2, 0x0010, true);
    const length = pixels + (pixels % 2);
    if (xfer === "implicit") {
      view.setUint32(4, length, true); // implicit VR: tag and a 32-bit length
    } else {
      pixelHeader.set([0x4f, 0x57, 0, 0], 4); // "OW" + reserved
      view.setUint32(8, length, true);
    }
    const out = new Uint8Array(bytes.length + pixelHeader.length + length);
    out.set(bytes, 0);
    out.set(pixelHeader, bytes.length);
    // A pattern rather than zeros, so a test can tell the pixels were carried over byte for byte.
    for (let i = bytes.length + pixelHeader.length; i < out.length; i++) out[i] = (i * 7 + 3) & 0xff;
    bytes = out;
    return { bytes, studyUid, seriesUid, sopUid };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
