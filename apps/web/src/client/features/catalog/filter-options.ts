/**
 * The choices the list's filter panel offers. They follow the shop's catalogue vocabulary (the
 * colour names and size runs sellers use, as in the demo catalogue); the API matches colours
 * case-insensitively and sizes exactly.
 */
export const FILTER_SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL', '26', '28', '30', '32', '34', '36', '38'] as const;

export const FILTER_COLOURS = [
  { name: 'Black', hex: '#1d1d1f' },
  { name: 'White', hex: '#f4f3ef' },
  { name: 'Cream', hex: '#ece3cf' },
  { name: 'Sand', hex: '#d5c4a1' },
  { name: 'Camel', hex: '#b98f5e' },
  { name: 'Chocolate', hex: '#553a2b' },
  { name: 'Heather Grey', hex: '#9a9ca0' },
  { name: 'Charcoal', hex: '#3a3d42' },
  { name: 'Navy', hex: '#1f2a44' },
  { name: 'Indigo', hex: '#2f4a78' },
  { name: 'Sky Blue', hex: '#9cc3e4' },
  { name: 'Teal', hex: '#1f6f6f' },
  { name: 'Forest Green', hex: '#2e4d36' },
  { name: 'Olive', hex: '#5b6236' },
  { name: 'Mustard', hex: '#cf9f2e' },
  { name: 'Rust', hex: '#b0532b' },
  { name: 'Coral', hex: '#e8765f' },
  { name: 'Red', hex: '#b3202a' },
  { name: 'Burgundy', hex: '#6d1f2f' },
  { name: 'Dusty Pink', hex: '#d6a4a4' },
  { name: 'Lilac', hex: '#b6a0cf' },
] as const;
