import { LakeInputError } from '@threadline/lake';

/** Limits on an uploaded survey file, checked before any parser sees it. */
export interface SurveyFileLimits {
  /** Largest upload accepted (default 20 MB). */
  maxBytes: number;
  /** Most bytes the archive may expand to (default 200 MB). */
  maxUncompressedBytes: number;
  /** Highest expansion ratio of one large entry (default 100×; real xlsx stay under ~20×). */
  maxRatio: number;
  /** Most entries in the archive (default 2,000). */
  maxEntries: number;
}

export const DEFAULT_SURVEY_LIMITS: SurveyFileLimits = {
  maxBytes: 20 * 1024 * 1024,
  maxUncompressedBytes: 200 * 1024 * 1024,
  maxRatio: 100,
  maxEntries: 2000,
};

export type SurveyFileKind = 'xlsx' | 'csv';

const CFB_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;

interface ZipEntry {
  name: string;
  compressed: number;
  uncompressed: number;
  isEncrypted: boolean;
}

/** Reads the ZIP central directory (sizes as declared, no decompression). */
function readCentralDirectory(bytes: Buffer): ZipEntry[] {
  // the end-of-central-directory record sits in the last 22 + 65,535 bytes
  const searchFrom = Math.max(0, bytes.length - 22 - 0xffff);
  let eocd = -1;
  for (let offset = bytes.length - 22; offset >= searchFrom; offset -= 1) {
    if (bytes.readUInt32LE(offset) === EOCD_SIGNATURE) {
      eocd = offset;
      break;
    }
  }
  if (eocd < 0) throw new LakeInputError('SURVEY_NOT_SPREADSHEET', 'the file is not a readable .xlsx workbook (damaged or truncated archive)', 'file');
  const count = bytes.readUInt16LE(eocd + 10);
  const directoryOffset = bytes.readUInt32LE(eocd + 16);
  if (directoryOffset === 0xffffffff || count === 0xffff) {
    throw new LakeInputError('SURVEY_ZIP_BOMB', 'the workbook uses ZIP64 sizes; a survey never needs that — save it again as a normal .xlsx', 'file');
  }
  const entries: ZipEntry[] = [];
  let offset = directoryOffset;
  for (let index = 0; index < count; index += 1) {
    if (offset + 46 > bytes.length || bytes.readUInt32LE(offset) !== CENTRAL_SIGNATURE) {
      throw new LakeInputError('SURVEY_NOT_SPREADSHEET', 'the file is not a readable .xlsx workbook (damaged archive directory)', 'file');
    }
    const flags = bytes.readUInt16LE(offset + 8);
    const compressed = bytes.readUInt32LE(offset + 20);
    const uncompressed = bytes.readUInt32LE(offset + 24);
    const nameLength = bytes.readUInt16LE(offset + 28);
    const extraLength = bytes.readUInt16LE(offset + 30);
    const commentLength = bytes.readUInt16LE(offset + 32);
    const name = bytes.subarray(offset + 46, offset + 46 + nameLength).toString('utf8');
    entries.push({ name, compressed, uncompressed, isEncrypted: (flags & 1) === 1 });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * Decides what an uploaded file is, from its bytes (never trusting the name alone), and refuses
 * anything that is not a plain workbook or CSV: wrong extension, over the size limit, an old or
 * password-protected Office file (those are OLE containers, not ZIP), a ZIP that is not a
 * workbook, or one that expands far beyond its size (zip bomb).
 *
 * @example
 * const kind = inspectSurveyFile('answers.xlsx', bytes); // 'xlsx'
 */
export function inspectSurveyFile(fileName: string, bytes: Buffer, limits: SurveyFileLimits = DEFAULT_SURVEY_LIMITS): SurveyFileKind {
  const extension = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase();
  if (extension !== 'xlsx' && extension !== 'csv') {
    throw new LakeInputError('SURVEY_WRONG_EXTENSION', `"${fileName}" is not a .xlsx or .csv file`, 'file');
  }
  if (bytes.length > limits.maxBytes) {
    throw new LakeInputError('SURVEY_TOO_LARGE', `the file is ${Math.ceil(bytes.length / 1024 / 1024)} MB; the limit is ${Math.floor(limits.maxBytes / 1024 / 1024)} MB`, 'file');
  }
  if (bytes.length === 0) throw new LakeInputError('SURVEY_EMPTY', 'the file is empty', 'file');
  if (bytes.subarray(0, 8).equals(CFB_MAGIC)) {
    // encrypted OOXML is stored inside an OLE container with an "EncryptedPackage" stream
    const isEncrypted = bytes.includes(Buffer.from('EncryptedPackage', 'utf16le'));
    throw isEncrypted
      ? new LakeInputError('SURVEY_PASSWORD_PROTECTED', 'the workbook is password-protected; remove the password (File → Info → Protect Workbook) and upload again', 'file')
      : new LakeInputError('SURVEY_NOT_SPREADSHEET', 'this is an old binary Excel (.xls) file renamed; open it in Excel and save as .xlsx', 'file');
  }
  const isZip = bytes.subarray(0, 4).equals(ZIP_MAGIC);
  if (extension === 'csv') {
    if (isZip) throw new LakeInputError('SURVEY_WRONG_EXTENSION', 'the file is a workbook named .csv; upload it as .xlsx', 'file');
    if (bytes.subarray(0, 8192).includes(0)) throw new LakeInputError('SURVEY_NOT_SPREADSHEET', 'the file is binary, not CSV text', 'file');
    return 'csv';
  }
  if (!isZip) throw new LakeInputError('SURVEY_NOT_SPREADSHEET', 'the file is not an .xlsx workbook (its content is not an Office Open XML archive)', 'file');
  const entries = readCentralDirectory(bytes);
  if (entries.length > limits.maxEntries) throw new LakeInputError('SURVEY_ZIP_BOMB', `the archive holds ${entries.length} entries; a workbook needs far fewer`, 'file');
  if (entries.some((entry) => entry.isEncrypted)) {
    throw new LakeInputError('SURVEY_PASSWORD_PROTECTED', 'the archive is encrypted; remove the password and upload again', 'file');
  }
  if (!entries.some((entry) => entry.name === 'xl/workbook.xml')) {
    throw new LakeInputError('SURVEY_NOT_SPREADSHEET', 'the archive is not an Excel workbook (no xl/workbook.xml)', 'file');
  }
  const total = entries.reduce((sum, entry) => sum + entry.uncompressed, 0);
  if (total > limits.maxUncompressedBytes) {
    throw new LakeInputError('SURVEY_ZIP_BOMB', `the workbook expands to ${Math.round(total / 1024 / 1024)} MB; the limit is ${Math.round(limits.maxUncompressedBytes / 1024 / 1024)} MB`, 'file');
  }
  const bomb = entries.find((entry) => entry.uncompressed > 1024 * 1024 && entry.uncompressed > entry.compressed * limits.maxRatio);
  if (bomb) {
    throw new LakeInputError('SURVEY_ZIP_BOMB', `"${bomb.name}" expands ${Math.round(bomb.uncompressed / Math.max(1, bomb.compressed))}× — refused as a possible zip bomb`, 'file');
  }
  return 'xlsx';
}
