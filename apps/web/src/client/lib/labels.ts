/** Readable labels for the codes the API uses. */
const LABELS: Record<string, string> = {
  north_america: 'North America',
  south_america: 'South America',
  europe: 'Europe',
  asia_pacific: 'Asia-Pacific',
  asia: 'Asia',
  africa: 'Africa',
  oceania: 'Oceania',
  other: 'Other',
  unknown: 'Not given',
  female: 'Female',
  male: 'Male',
  non_binary: 'Non-binary',
  undisclosed: 'Undisclosed',
  new: 'New customers',
  returning: 'Returning customers',
  guest: 'Guests',
  tv: 'TV',
  radio: 'Radio',
  newspaper_magazine: 'Newspaper / magazine',
  outdoor_billboard: 'Outdoor / billboard',
  transit: 'Transit',
  flyer: 'Flyer',
  event: 'Event',
  word_of_mouth: 'Word of mouth',
  online_ad: 'Online ad',
  social_media: 'Social media',
  search: 'Search',
  age_band: 'Age band',
  gender: 'Gender',
  region: 'Region',
  customer_type: 'New vs returning',
};

export function label(code: string): string {
  return LABELS[code] ?? code.replace(/_/g, ' ').replace(/^\w/, (first) => first.toUpperCase());
}
