-- Checkout as shoppers expect it (issue 17): an address book, the rest of the ship-to address on
-- orders (0700 holds the geography shared with the legacy importer), guest orders, shipping
-- methods with back-office rates, tax lines from a rate table, an e-mail outbox and password
-- reset tokens. Money is integer minor units; tax rates are parts per million (7.25 % = 72500).

CREATE TABLE addresses (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  recipient_name text NOT NULL CHECK (char_length(recipient_name) BETWEEN 1 AND 100),
  line1          text NOT NULL CHECK (char_length(line1) BETWEEN 1 AND 200),
  line2          text CHECK (char_length(line2) <= 200),
  city           text NOT NULL CHECK (char_length(city) BETWEEN 1 AND 100),
  region         text CHECK (char_length(region) <= 100),
  postal_code    text CHECK (char_length(postal_code) <= 20),
  country        char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  phone          text CHECK (char_length(phone) <= 40),
  is_default     boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX addresses_user_idx ON addresses (user_id, id);
-- at most one default address per account
CREATE UNIQUE INDEX addresses_default_key ON addresses (user_id) WHERE is_default;
CREATE TRIGGER addresses_updated_at BEFORE UPDATE ON addresses FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Shipping methods and their rates, set in the back office: a flat price per destination
-- country (country NULL: every country without its own methods), free from an optional subtotal.
CREATE TABLE shipping_rates (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code             text NOT NULL CHECK (code ~ '^[a-z0-9_-]{1,40}$'),
  name             text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
  country          char(2) CHECK (country ~ '^[A-Z]{2}$'),
  price_cents      integer NOT NULL CHECK (price_cents BETWEEN 0 AND 10000000),
  free_over_cents  integer CHECK (free_over_cents BETWEEN 0 AND 100000000),
  min_days         integer NOT NULL CHECK (min_days BETWEEN 0 AND 90),
  max_days         integer NOT NULL CHECK (max_days BETWEEN 0 AND 90),
  is_active        boolean NOT NULL DEFAULT true,
  sort_order       integer NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (min_days <= max_days)
);
CREATE UNIQUE INDEX shipping_rates_code_country_key ON shipping_rates (code, coalesce(country, '**'));
CREATE TRIGGER shipping_rates_updated_at BEFORE UPDATE ON shipping_rates FOR EACH ROW EXECUTE FUNCTION set_updated_at();

INSERT INTO shipping_rates (code, name, country, price_cents, free_over_cents, min_days, max_days, sort_order) VALUES
  ('standard', 'Standard', 'US', 695, 7500, 3, 5, 1),
  ('express', 'Express', 'US', 1995, NULL, 1, 2, 2),
  ('standard', 'Standard', 'CA', 1295, 15000, 5, 8, 1),
  ('express', 'Express', 'CA', 2995, NULL, 2, 3, 2),
  ('standard', 'International standard', NULL, 1995, 20000, 7, 14, 1),
  ('express', 'International express', NULL, 4495, NULL, 3, 5, 2);

-- Tax rates by country and region (US state, Canadian province); region NULL is the whole
-- country (EU VAT). A model to configure, not tax advice: see docs/checkout.md.
CREATE TABLE tax_rates (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  country           char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  region            text CHECK (char_length(region) BETWEEN 1 AND 100),
  label             text NOT NULL CHECK (char_length(label) BETWEEN 1 AND 80),
  rate_ppm          integer NOT NULL CHECK (rate_ppm BETWEEN 0 AND 1000000),
  applies_to_shipping boolean NOT NULL DEFAULT false,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tax_rates_place_key ON tax_rates (country, coalesce(region, ''));
CREATE TRIGGER tax_rates_updated_at BEFORE UPDATE ON tax_rates FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Defaults: US state-level base sales tax (no local add-ons), Canadian GST/HST (+ PST/QST where
-- it applies as one combined figure), standard VAT of EU members and the UK.
INSERT INTO tax_rates (country, region, label, rate_ppm, applies_to_shipping) VALUES
  ('US', 'AL', 'Alabama sales tax', 40000, false), ('US', 'AZ', 'Arizona sales tax', 56000, false),
  ('US', 'AR', 'Arkansas sales tax', 65000, true), ('US', 'CA', 'California sales tax', 72500, false),
  ('US', 'CO', 'Colorado sales tax', 29000, false), ('US', 'CT', 'Connecticut sales tax', 63500, true),
  ('US', 'FL', 'Florida sales tax', 60000, false), ('US', 'GA', 'Georgia sales tax', 40000, true),
  ('US', 'HI', 'Hawaii general excise tax', 40000, true), ('US', 'ID', 'Idaho sales tax', 60000, false),
  ('US', 'IL', 'Illinois sales tax', 62500, false), ('US', 'IN', 'Indiana sales tax', 70000, false),
  ('US', 'IA', 'Iowa sales tax', 60000, false), ('US', 'KS', 'Kansas sales tax', 65000, true),
  ('US', 'KY', 'Kentucky sales tax', 60000, true), ('US', 'LA', 'Louisiana sales tax', 50000, false),
  ('US', 'ME', 'Maine sales tax', 55000, false), ('US', 'MD', 'Maryland sales tax', 60000, false),
  ('US', 'MA', 'Massachusetts sales tax', 62500, false), ('US', 'MI', 'Michigan sales tax', 60000, true),
  ('US', 'MN', 'Minnesota sales tax', 68750, true), ('US', 'MS', 'Mississippi sales tax', 70000, true),
  ('US', 'MO', 'Missouri sales tax', 42250, false), ('US', 'NE', 'Nebraska sales tax', 55000, true),
  ('US', 'NV', 'Nevada sales tax', 68500, false), ('US', 'NJ', 'New Jersey sales tax', 66250, true),
  ('US', 'NM', 'New Mexico gross receipts tax', 48750, true), ('US', 'NY', 'New York sales tax', 40000, true),
  ('US', 'NC', 'North Carolina sales tax', 47500, true), ('US', 'ND', 'North Dakota sales tax', 50000, true),
  ('US', 'OH', 'Ohio sales tax', 57500, true), ('US', 'OK', 'Oklahoma sales tax', 45000, false),
  ('US', 'PA', 'Pennsylvania sales tax', 60000, true), ('US', 'RI', 'Rhode Island sales tax', 70000, true),
  ('US', 'SC', 'South Carolina sales tax', 60000, false), ('US', 'SD', 'South Dakota sales tax', 42000, true),
  ('US', 'TN', 'Tennessee sales tax', 70000, true), ('US', 'TX', 'Texas sales tax', 62500, true),
  ('US', 'UT', 'Utah sales tax', 61000, false), ('US', 'VT', 'Vermont sales tax', 60000, true),
  ('US', 'VA', 'Virginia sales tax', 53000, false), ('US', 'WA', 'Washington sales tax', 65000, true),
  ('US', 'WV', 'West Virginia sales tax', 60000, true), ('US', 'WI', 'Wisconsin sales tax', 50000, true),
  ('US', 'WY', 'Wyoming sales tax', 40000, true), ('US', 'DC', 'District of Columbia sales tax', 60000, false),
  ('CA', NULL, 'GST', 50000, true),
  ('CA', 'ON', 'HST', 130000, true), ('CA', 'NB', 'HST', 150000, true), ('CA', 'NL', 'HST', 150000, true),
  ('CA', 'NS', 'HST', 140000, true), ('CA', 'PE', 'HST', 150000, true),
  ('CA', 'BC', 'GST + PST', 120000, true), ('CA', 'MB', 'GST + RST', 120000, true),
  ('CA', 'SK', 'GST + PST', 110000, true), ('CA', 'QC', 'GST + QST', 149750, true),
  ('AT', NULL, 'VAT', 200000, true), ('BE', NULL, 'VAT', 210000, true), ('BG', NULL, 'VAT', 200000, true),
  ('HR', NULL, 'VAT', 250000, true), ('CY', NULL, 'VAT', 190000, true), ('CZ', NULL, 'VAT', 210000, true),
  ('DK', NULL, 'VAT', 250000, true), ('EE', NULL, 'VAT', 240000, true), ('FI', NULL, 'VAT', 255000, true),
  ('FR', NULL, 'VAT', 200000, true), ('DE', NULL, 'VAT', 190000, true), ('GR', NULL, 'VAT', 240000, true),
  ('HU', NULL, 'VAT', 270000, true), ('IE', NULL, 'VAT', 230000, true), ('IT', NULL, 'VAT', 220000, true),
  ('LV', NULL, 'VAT', 210000, true), ('LT', NULL, 'VAT', 210000, true), ('LU', NULL, 'VAT', 170000, true),
  ('MT', NULL, 'VAT', 180000, true), ('NL', NULL, 'VAT', 210000, true), ('PL', NULL, 'VAT', 230000, true),
  ('PT', NULL, 'VAT', 230000, true), ('RO', NULL, 'VAT', 210000, true), ('SK', NULL, 'VAT', 230000, true),
  ('SI', NULL, 'VAT', 220000, true), ('ES', NULL, 'VAT', 210000, true), ('SE', NULL, 'VAT', 250000, true),
  ('GB', NULL, 'VAT', 200000, true);

-- The rest of the ship-to address, the chosen method, tax and guest buyers on orders. Street,
-- name and phone stay in the database: only the 0700 geography columns reach the lake.
ALTER TABLE orders
  ADD COLUMN ship_name            text CHECK (char_length(ship_name) <= 100),
  ADD COLUMN ship_line1           text CHECK (char_length(ship_line1) <= 200),
  ADD COLUMN ship_line2           text CHECK (char_length(ship_line2) <= 200),
  ADD COLUMN ship_phone           text CHECK (char_length(ship_phone) <= 40),
  ADD COLUMN shipping_method      text CHECK (char_length(shipping_method) <= 80),
  ADD COLUMN tax_cents            integer NOT NULL DEFAULT 0 CHECK (tax_cents >= 0),
  -- guest checkout: the buyer's e-mail, and the SHA-256 of the token that opens the order
  ADD COLUMN guest_email          text CHECK (char_length(guest_email) BETWEEN 3 AND 254),
  ADD COLUMN guest_token_hash     bytea,
  -- the anonymous session whose cart became this guest order (replaces its earlier unpaid orders)
  ADD COLUMN guest_session_hash   bytea;
-- guests have no user id: their Idempotency-Key is unique per session (the key is prefixed with it)
CREATE UNIQUE INDEX orders_guest_idempotency_key ON orders (idempotency_key) WHERE user_id IS NULL AND idempotency_key IS NOT NULL;
CREATE INDEX orders_guest_session_idx ON orders (guest_session_hash) WHERE guest_session_hash IS NOT NULL;

CREATE TABLE order_tax_lines (
  order_id     bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  position     integer NOT NULL,
  label        text NOT NULL,
  rate_ppm     integer NOT NULL,
  amount_cents integer NOT NULL CHECK (amount_cents >= 0),
  PRIMARY KEY (order_id, position)
);

-- Outgoing e-mail: every message is stored here first (in the transaction of the fact it tells
-- about) and delivered by the worker to SMTP_URL when set, with retries and backoff.
CREATE TABLE outbox (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  template         text NOT NULL,
  to_address       text NOT NULL CHECK (char_length(to_address) BETWEEN 3 AND 254),
  subject          text NOT NULL,
  text_body        text NOT NULL,
  html_body        text NOT NULL,
  order_id         bigint REFERENCES orders (id) ON DELETE SET NULL,
  user_id          bigint REFERENCES users (id) ON DELETE SET NULL,
  status           text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_error       text,
  message_id       text,
  sent_at          timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'queued';
CREATE INDEX outbox_created_idx ON outbox (created_at DESC, id DESC);

-- Password reset: single use, short-lived; only the token's SHA-256 is stored.
CREATE TABLE password_reset_tokens (
  token_hash  bytea PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_reset_tokens_user_idx ON password_reset_tokens (user_id, created_at DESC);
