import { Type } from '@sinclair/typebox';

import { DEVICE_CLASSES, REGIONS, TRAFFIC_SOURCES } from '@threadline/clickstream';

const DateText = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD in the shop time zone' });
const Slug = Type.String({ pattern: '^[a-z0-9-]{1,80}$' });
const Region = Type.Union(['north_america', 'south_america', 'europe', 'asia_pacific', 'other'].map((value) => Type.Literal(value)));
const AgeBand = Type.Union(['18-24', '25-34', '35-44', '45-54', '55-64', '65+'].map((value) => Type.Literal(value)));
const Gender = Type.Union(['female', 'male', 'non_binary', 'undisclosed'].map((value) => Type.Literal(value)));
const Channel = Type.String({ pattern: '^[a-z][a-z_]{1,40}$' });

const WindowQuery = {
  from: Type.Optional(DateText),
  to: Type.Optional(DateText),
};

export const SalesQuery = Type.Object(
  { ...WindowQuery, category: Type.Optional(Slug), region: Type.Optional(Region), limit: Type.Integer({ minimum: 1, maximum: 500, default: 20 }) },
  { additionalProperties: false },
);

export const SegmentsQuery = Type.Object(
  {
    ...WindowQuery,
    dimension: Type.Union(['age_band', 'gender', 'region', 'customer_type', 'ship_country', 'ship_region', 'sales_territory'].map((value) => Type.Literal(value)), { default: 'age_band' }),
    category: Type.Optional(Slug),
    limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
  },
  { additionalProperties: false },
);

export const ReviewsQuery = Type.Object(
  {
    ...WindowQuery,
    category: Type.Optional(Slug),
    minReviews: Type.Integer({ minimum: 1, maximum: 1000, default: 3 }),
    limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
  },
  { additionalProperties: false },
);

export const AdChannelsQuery = Type.Object(
  { ...WindowQuery, region: Type.Optional(Region), ageBand: Type.Optional(AgeBand), gender: Type.Optional(Gender) },
  { additionalProperties: false },
);

export const AnswersQuery = Type.Object(
  {
    ...WindowQuery,
    region: Type.Optional(Region),
    ageBand: Type.Optional(AgeBand),
    gender: Type.Optional(Gender),
    channel: Type.Optional(Channel),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);

export const PeakHoursQuery = Type.Object(
  {
    ...WindowQuery,
    tz: Type.Optional(Type.String({ maxLength: 64, description: 'IANA zone of the shop-time view (default: the shop time zone)' })),
    region: Type.Optional(Type.Union(REGIONS.map((r) => Type.Literal(r)), { description: "visitors' region (from their time zone)" })),
    device: Type.Optional(Type.Union(DEVICE_CLASSES.map((d) => Type.Literal(d)))),
    bots: Type.Optional(Type.Boolean({ description: 'include traffic marked as bots (default false)' })),
    source: Type.Optional(
      Type.Union(TRAFFIC_SOURCES.map((value) => Type.Literal(value)), {
        description: 'only live traffic, or only history imported from old web server logs (default: both)',
      }),
    ),
    top: Type.Optional(Type.Integer({ minimum: 1, maximum: 24, description: 'number of top hours listed (default 3)' })),
  },
  { additionalProperties: false },
);

export const CostBody = Type.Object(
  {
    month: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' }),
    channel: Channel,
    costCents: Type.Integer({ minimum: 0, maximum: 100_000_000_000 }),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const CostParams = Type.Object({ month: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' }), channel: Channel });

/** Every dashboard answer: its figures plus the window, the filters, freshness and cache state. */
export const InsightResponse = Type.Object(
  {
    window: Type.Object({ from: Type.String(), to: Type.String() }),
    filters: Type.Record(Type.String(), Type.Unknown()),
    asOf: Type.Union([Type.String(), Type.Null()], { description: 'when the newest data behind the figures was published' }),
    cache: Type.Object({
      status: Type.Union([Type.Literal('hit'), Type.Literal('live')]),
      computedAt: Type.String(),
      computationMs: Type.Integer(),
    }),
  },
  { additionalProperties: true },
);

const NullableText = Type.Union([Type.String(), Type.Null()]);

export const AnswersResponse = Type.Object({
  window: Type.Object({ from: Type.String(), to: Type.String() }),
  asOf: NullableText,
  total: Type.Integer(),
  answers: Type.Array(
    Type.Object({ responseDate: Type.String(), channel: Type.String(), ageBand: NullableText, region: NullableText, text: Type.String() }),
  ),
});

export const CostsResponse = Type.Object({
  items: Type.Array(
    Type.Object({
      month: Type.String(),
      channel: Type.String(),
      costCents: Type.Integer(),
      note: NullableText,
      updatedAt: Type.String({ format: 'date-time' }),
    }),
  ),
});

export const RefreshResponse = Type.Object({ entries: Type.Integer(), ms: Type.Integer() });

export const StatusResponse = Type.Object({
  dashboards: Type.Array(
    Type.Object({ dashboard: Type.String(), entries: Type.Integer(), materialised: Type.Integer(), lastComputedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]) }),
  ),
  asOf: Type.Record(Type.String(), NullableText),
});
