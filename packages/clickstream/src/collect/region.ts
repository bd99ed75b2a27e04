/**
 * Region of a visitor from their IANA time zone. The collector never stores IPs whole and does no
 * IP geolocation, so the browser-reported zone is the one location signal the lake keeps; it is
 * coarse on purpose (continent level), which is what the peak-hour analysis filters by.
 */
export const REGIONS = ['north_america', 'south_america', 'europe', 'asia', 'africa', 'oceania', 'other'] as const;
export type Region = (typeof REGIONS)[number];

// America/* zones south of Panama; everything else under America/ is North America (incl. the
// Caribbean and Central America, following the usual UN geoscheme grouping used by marketing).
const SOUTH_AMERICA = new Set([
  'America/Araguaina', 'America/Argentina/Buenos_Aires', 'America/Argentina/Catamarca', 'America/Argentina/Cordoba',
  'America/Argentina/Jujuy', 'America/Argentina/La_Rioja', 'America/Argentina/Mendoza', 'America/Argentina/Rio_Gallegos',
  'America/Argentina/Salta', 'America/Argentina/San_Juan', 'America/Argentina/San_Luis', 'America/Argentina/Tucuman',
  'America/Argentina/Ushuaia', 'America/Asuncion', 'America/Bahia', 'America/Belem', 'America/Boa_Vista', 'America/Bogota',
  'America/Buenos_Aires', 'America/Campo_Grande', 'America/Caracas', 'America/Cayenne', 'America/Cuiaba', 'America/Eirunepe',
  'America/Fortaleza', 'America/Guayaquil', 'America/Guyana', 'America/La_Paz', 'America/Lima', 'America/Maceio',
  'America/Manaus', 'America/Montevideo', 'America/Noronha', 'America/Paramaribo', 'America/Porto_Velho',
  'America/Punta_Arenas', 'America/Recife', 'America/Rio_Branco', 'America/Santarem', 'America/Santiago',
  'America/Sao_Paulo', 'Atlantic/Stanley', 'Pacific/Galapagos', 'Chile/Continental', 'Brazil/East',
]);

/** Maps an IANA zone to a continent-level region. */
export function regionOfTimeZone(zone: string): Region {
  if (SOUTH_AMERICA.has(zone)) return 'south_america';
  if (zone.startsWith('America/') || zone.startsWith('US/') || zone.startsWith('Canada/')) return 'north_america';
  if (zone.startsWith('Europe/') || zone === 'Atlantic/Reykjavik' || zone === 'Atlantic/Canary' || zone === 'Atlantic/Madeira') return 'europe';
  if (zone.startsWith('Asia/') || zone.startsWith('Indian/')) return 'asia';
  if (zone.startsWith('Africa/')) return 'africa';
  if (zone.startsWith('Australia/') || zone.startsWith('Pacific/')) return 'oceania';
  return 'other';
}
