import { crc32, deflateRawSync } from 'node:zlib';

/** One file of a hand-built archive; `declaredSize` lies about the inflated size when set. */
export interface ZipFileSpec {
  name: string;
  content: Buffer;
  declaredSize?: number;
}

/**
 * Builds a deflated ZIP byte by byte so a test controls what the archive declares (the sizes in
 * the local and central headers) independently of what it really holds: the shape of a zip bomb
 * that lies about its sizes.
 *
 * @example
 * const bytes = buildZip([{ name: 'xl/workbook.xml', content: Buffer.from('<workbook/>') }]);
 */
export function buildZip(files: readonly ZipFileSpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const data = deflateRawSync(file.content, { level: 9 });
    const size = file.declaredSize ?? file.content.length;
    const crc = crc32(file.content);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * A workbook whose sharedStrings.xml declares 4 kB but inflates to `realBytes` (default 64 MB,
 * about 64 kB compressed): the audit's zip bomb.
 */
export function lyingWorkbook(realBytes = 64 * 1024 * 1024): Buffer {
  const shared = Buffer.alloc(realBytes, 'a');
  shared.write('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>', 0);
  return buildZip([
    { name: '[Content_Types].xml', content: Buffer.from('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>') },
    { name: 'xl/workbook.xml', content: Buffer.from('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>') },
    { name: 'xl/sharedStrings.xml', content: shared, declaredSize: 4096 },
  ]);
}
