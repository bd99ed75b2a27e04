import { api } from '../../lib/api';

export interface SignupInput {
  email: string;
  password: string;
  name: string;
  ageBand?: string;
  gender?: string;
  country?: string;
  region?: string;
  marketingConsent: boolean;
}

export function signup(input: SignupInput): Promise<unknown> {
  return api('/api/auth/signup', { method: 'POST', body: input });
}

export function login(email: string, password: string): Promise<unknown> {
  return api('/api/auth/login', { method: 'POST', body: { email, password } });
}

export const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export const GENDERS = [
  { value: 'female', label: 'Female' },
  { value: 'male', label: 'Male' },
  { value: 'non_binary', label: 'Non-binary' },
  { value: 'undisclosed', label: 'Prefer not to say' },
] as const;
export const REGIONS = [
  { value: 'north_america', label: 'North America' },
  { value: 'south_america', label: 'South & Central America' },
  { value: 'europe', label: 'Europe' },
  { value: 'asia_pacific', label: 'Asia-Pacific' },
  { value: 'other', label: 'Other' },
] as const;

/** Countries the shop ships to most, with the region their shoppers are counted in. */
export const COUNTRIES = [
  { code: 'US', name: 'United States', region: 'north_america' },
  { code: 'CA', name: 'Canada', region: 'north_america' },
  { code: 'MX', name: 'Mexico', region: 'north_america' },
  { code: 'BR', name: 'Brazil', region: 'south_america' },
  { code: 'AR', name: 'Argentina', region: 'south_america' },
  { code: 'CL', name: 'Chile', region: 'south_america' },
  { code: 'CO', name: 'Colombia', region: 'south_america' },
  { code: 'GB', name: 'United Kingdom', region: 'europe' },
  { code: 'DE', name: 'Germany', region: 'europe' },
  { code: 'FR', name: 'France', region: 'europe' },
  { code: 'ES', name: 'Spain', region: 'europe' },
  { code: 'IT', name: 'Italy', region: 'europe' },
  { code: 'NL', name: 'Netherlands', region: 'europe' },
  { code: 'SE', name: 'Sweden', region: 'europe' },
  { code: 'KR', name: 'South Korea', region: 'asia_pacific' },
  { code: 'JP', name: 'Japan', region: 'asia_pacific' },
  { code: 'AU', name: 'Australia', region: 'asia_pacific' },
] as const;

/** Where to go after signing in: only same-site paths, so a crafted link cannot send people away. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}
