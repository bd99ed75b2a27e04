/**
 * Where the demo customers live and what they are called. Weights are rough population shares;
 * the shop is North-America-centred with growing South American and European audiences.
 * Subdivisions are ISO 3166-2 codes, each with the IANA time zone used for order times.
 */
import type { Region } from './catalogue-data.js';

export type NameSet = 'en' | 'es' | 'pt' | 'fr' | 'de' | 'it' | 'nl' | 'sv';

export interface CountrySpec {
  code: string;
  region: Region;
  weight: number;
  names: NameSet;
  /** [ISO 3166-2 code, weight, IANA zone] */
  subdivisions: readonly (readonly [string, number, string])[];
}

export const REGION_WEIGHTS: readonly (readonly [Region, number])[] = [
  ['north_america', 72],
  ['south_america', 15],
  ['europe', 13],
];

export const COUNTRIES: readonly CountrySpec[] = [
  {
    code: 'US', region: 'north_america', weight: 78, names: 'en',
    subdivisions: [
      ['US-CA', 39, 'America/Los_Angeles'], ['US-TX', 30, 'America/Chicago'], ['US-FL', 22, 'America/New_York'],
      ['US-NY', 20, 'America/New_York'], ['US-PA', 13, 'America/New_York'], ['US-IL', 12.5, 'America/Chicago'],
      ['US-OH', 11.8, 'America/New_York'], ['US-GA', 11, 'America/New_York'], ['US-NC', 10.8, 'America/New_York'],
      ['US-MI', 10, 'America/Detroit'], ['US-NJ', 9.3, 'America/New_York'], ['US-VA', 8.7, 'America/New_York'],
      ['US-WA', 7.8, 'America/Los_Angeles'], ['US-AZ', 7.4, 'America/Phoenix'], ['US-MA', 7, 'America/New_York'],
      ['US-TN', 7, 'America/Chicago'], ['US-IN', 6.8, 'America/Indiana/Indianapolis'], ['US-MD', 6.2, 'America/New_York'],
      ['US-MO', 6.2, 'America/Chicago'], ['US-CO', 5.9, 'America/Denver'], ['US-WI', 5.9, 'America/Chicago'],
      ['US-MN', 5.7, 'America/Chicago'], ['US-OR', 4.2, 'America/Los_Angeles'], ['US-UT', 3.4, 'America/Denver'],
      ['US-NV', 3.2, 'America/Los_Angeles'],
    ],
  },
  {
    code: 'CA', region: 'north_america', weight: 16, names: 'en',
    subdivisions: [
      ['CA-ON', 15.6, 'America/Toronto'], ['CA-QC', 8.9, 'America/Toronto'], ['CA-BC', 5.5, 'America/Vancouver'],
      ['CA-AB', 4.8, 'America/Edmonton'], ['CA-MB', 1.4, 'America/Winnipeg'], ['CA-NS', 1, 'America/Halifax'],
    ],
  },
  {
    code: 'MX', region: 'north_america', weight: 6, names: 'es',
    subdivisions: [
      ['MX-CMX', 9, 'America/Mexico_City'], ['MX-MEX', 8, 'America/Mexico_City'], ['MX-JAL', 5, 'America/Mexico_City'],
      ['MX-NLE', 4, 'America/Monterrey'],
    ],
  },
  {
    code: 'BR', region: 'south_america', weight: 52, names: 'pt',
    subdivisions: [
      ['BR-SP', 46, 'America/Sao_Paulo'], ['BR-RJ', 17, 'America/Sao_Paulo'], ['BR-MG', 21, 'America/Sao_Paulo'],
      ['BR-RS', 11, 'America/Sao_Paulo'], ['BR-PR', 11, 'America/Sao_Paulo'],
    ],
  },
  {
    code: 'AR', region: 'south_america', weight: 18, names: 'es',
    subdivisions: [['AR-C', 3, 'America/Argentina/Buenos_Aires'], ['AR-B', 17, 'America/Argentina/Buenos_Aires'], ['AR-X', 3.8, 'America/Argentina/Cordoba']],
  },
  { code: 'CO', region: 'south_america', weight: 14, names: 'es', subdivisions: [['CO-DC', 8, 'America/Bogota'], ['CO-ANT', 6.7, 'America/Bogota']] },
  { code: 'CL', region: 'south_america', weight: 9, names: 'es', subdivisions: [['CL-RM', 8, 'America/Santiago'], ['CL-VS', 1.9, 'America/Santiago']] },
  { code: 'PE', region: 'south_america', weight: 7, names: 'es', subdivisions: [['PE-LIM', 10, 'America/Lima']] },
  {
    code: 'GB', region: 'europe', weight: 22, names: 'en',
    subdivisions: [['GB-ENG', 56, 'Europe/London'], ['GB-SCT', 5.5, 'Europe/London'], ['GB-WLS', 3.1, 'Europe/London']],
  },
  {
    code: 'DE', region: 'europe', weight: 20, names: 'de',
    subdivisions: [['DE-NW', 18, 'Europe/Berlin'], ['DE-BY', 13, 'Europe/Berlin'], ['DE-BE', 3.7, 'Europe/Berlin'], ['DE-HH', 1.9, 'Europe/Berlin']],
  },
  { code: 'FR', region: 'europe', weight: 18, names: 'fr', subdivisions: [['FR-IDF', 12, 'Europe/Paris'], ['FR-ARA', 8, 'Europe/Paris'], ['FR-PAC', 5, 'Europe/Paris']] },
  { code: 'ES', region: 'europe', weight: 14, names: 'es', subdivisions: [['ES-MD', 6.7, 'Europe/Madrid'], ['ES-CT', 7.7, 'Europe/Madrid'], ['ES-AN', 8.4, 'Europe/Madrid']] },
  { code: 'IT', region: 'europe', weight: 12, names: 'it', subdivisions: [['IT-25', 10, 'Europe/Rome'], ['IT-62', 5.7, 'Europe/Rome']] },
  { code: 'NL', region: 'europe', weight: 7, names: 'nl', subdivisions: [['NL-NH', 2.9, 'Europe/Amsterdam'], ['NL-ZH', 3.7, 'Europe/Amsterdam']] },
  { code: 'SE', region: 'europe', weight: 4, names: 'sv', subdivisions: [['SE-AB', 2.4, 'Europe/Stockholm']] },
  { code: 'IE', region: 'europe', weight: 3, names: 'en', subdivisions: [['IE-D', 1.4, 'Europe/Dublin']] },
];

export const FIRST_NAMES: Readonly<Record<NameSet, { female: readonly string[]; male: readonly string[] }>> = {
  en: {
    female: ['Emma', 'Olivia', 'Ava', 'Sophia', 'Mia', 'Amelia', 'Harper', 'Evelyn', 'Abigail', 'Emily', 'Ella', 'Grace', 'Chloe', 'Zoe', 'Hannah', 'Madison', 'Aaliyah', 'Nora', 'Riley', 'Layla', 'Sarah', 'Jessica', 'Ashley', 'Megan', 'Lauren', 'Rachel', 'Nicole', 'Karen', 'Linda', 'Susan', 'Brenda', 'Maya'],
    male: ['Liam', 'Noah', 'Oliver', 'Elijah', 'James', 'William', 'Benjamin', 'Lucas', 'Henry', 'Ethan', 'Mason', 'Logan', 'Jackson', 'Aiden', 'Caleb', 'Owen', 'Daniel', 'Matthew', 'Michael', 'David', 'Chris', 'Ryan', 'Tyler', 'Brandon', 'Jason', 'Kevin', 'Robert', 'Mark', 'Gary', 'Steven', 'Marcus', 'Andre'],
  },
  es: {
    female: ['María', 'Lucía', 'Sofía', 'Valentina', 'Camila', 'Isabella', 'Daniela', 'Mariana', 'Gabriela', 'Paula', 'Carmen', 'Ana', 'Elena', 'Fernanda', 'Ximena', 'Renata'],
    male: ['Santiago', 'Mateo', 'Sebastián', 'Diego', 'Alejandro', 'Juan', 'Carlos', 'Javier', 'Miguel', 'Andrés', 'Luis', 'José', 'Pablo', 'Nicolás', 'Emiliano', 'Tomás'],
  },
  pt: {
    female: ['Ana', 'Beatriz', 'Júlia', 'Larissa', 'Mariana', 'Camila', 'Fernanda', 'Letícia', 'Gabriela', 'Isabela', 'Luana', 'Carolina'],
    male: ['João', 'Pedro', 'Lucas', 'Gabriel', 'Rafael', 'Matheus', 'Gustavo', 'Felipe', 'Thiago', 'Bruno', 'Rodrigo', 'Vinícius'],
  },
  fr: {
    female: ['Camille', 'Léa', 'Chloé', 'Manon', 'Inès', 'Louise', 'Juliette', 'Élise', 'Claire', 'Margaux'],
    male: ['Louis', 'Hugo', 'Lucas', 'Jules', 'Arthur', 'Théo', 'Antoine', 'Julien', 'Mathieu', 'Nicolas'],
  },
  de: {
    female: ['Anna', 'Lena', 'Marie', 'Laura', 'Julia', 'Lea', 'Sophie', 'Katharina', 'Hannah', 'Johanna'],
    male: ['Lukas', 'Leon', 'Paul', 'Jonas', 'Felix', 'Maximilian', 'Tobias', 'Jan', 'Stefan', 'Florian'],
  },
  it: {
    female: ['Giulia', 'Chiara', 'Francesca', 'Sara', 'Martina', 'Alessia', 'Elisa', 'Valentina'],
    male: ['Marco', 'Luca', 'Matteo', 'Alessandro', 'Lorenzo', 'Andrea', 'Davide', 'Francesco'],
  },
  nl: {
    female: ['Emma', 'Sanne', 'Lotte', 'Fleur', 'Anouk', 'Eva', 'Iris', 'Noor'],
    male: ['Daan', 'Sem', 'Bram', 'Thijs', 'Lars', 'Ruben', 'Jesse', 'Milan'],
  },
  sv: {
    female: ['Elsa', 'Maja', 'Ebba', 'Wilma', 'Alva', 'Astrid'],
    male: ['Erik', 'Oskar', 'Axel', 'Hugo', 'Nils', 'Viktor'],
  },
};

export const LAST_NAMES: Readonly<Record<NameSet, readonly string[]>> = {
  en: ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Martin', 'Jackson', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Green', 'Baker', 'Adams', 'Nelson', 'Hill', 'Campbell', 'Mitchell', 'Roberts', 'Carter', 'Phillips', 'Evans', 'Turner', 'Nguyen', 'Kim', 'Patel', 'Chen', 'Singh', 'Lee', 'Murphy', 'Kelly', 'Cooper', 'Reed', 'Brooks', 'Foster'],
  es: ['García', 'Rodríguez', 'Martínez', 'Hernández', 'López', 'González', 'Pérez', 'Sánchez', 'Ramírez', 'Torres', 'Flores', 'Rivera', 'Gómez', 'Díaz', 'Morales', 'Vargas', 'Castro', 'Ortiz', 'Ruiz', 'Jiménez', 'Moreno', 'Romero'],
  pt: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Rodrigues', 'Ferreira', 'Alves', 'Pereira', 'Lima', 'Gomes', 'Costa', 'Ribeiro', 'Martins', 'Carvalho', 'Almeida', 'Barbosa'],
  fr: ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefebvre', 'Michel'],
  de: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Koch', 'Richter', 'Klein', 'Wolf'],
  it: ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Gallo'],
  nl: ['de Jong', 'Jansen', 'de Vries', 'van den Berg', 'van Dijk', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer'],
  sv: ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson'],
};

export const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.com', 'inbox.example.org'] as const;
