-- The shop's core schema (FUR-001): accounts, sessions, catalogue, carts, orders, payments, reviews.
-- Money is integer minor units; time is timestamptz (UTC); every mutable table has updated_at,
-- kept by trigger, which the nightly extract uses as its watermark.

CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END $$;

CREATE TYPE user_role AS ENUM ('customer', 'seller', 'admin', 'marketing');

CREATE TABLE users (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email             text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  -- NULL: no usable password yet (imported customer who has to claim the account)
  password_hash     text,
  name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  role              user_role NOT NULL DEFAULT 'customer',
  -- segment attributes used by the analyses (5.3); all optional, given with consent
  age_band          text CHECK (age_band IN ('18-24', '25-34', '35-44', '45-54', '55-64', '65+')),
  gender            text CHECK (gender IN ('female', 'male', 'non_binary', 'undisclosed')),
  country           text CHECK (country ~ '^[A-Z]{2}$'),
  region            text CHECK (region IN ('north_america', 'south_america', 'europe', 'asia_pacific', 'other')),
  state_province    text,
  customer_segment  text,
  marketing_consent boolean NOT NULL DEFAULT false,
  failed_logins     integer NOT NULL DEFAULT 0,
  locked_until      timestamptz,
  legacy_id         text UNIQUE,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  deleted_at        timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_updated_at_idx ON users (updated_at);
CREATE TRIGGER users_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Server-side sessions: the cookie carries a random id; only its SHA-256 is stored.
CREATE TABLE sessions (
  id_hash      bytea PRIMARY KEY,
  user_id      bigint REFERENCES users (id) ON DELETE CASCADE,
  csrf_token   text NOT NULL,
  ip           inet,
  user_agent   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE categories (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]+$'),
  name       text NOT NULL,
  parent_id  bigint REFERENCES categories (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER categories_updated_at BEFORE UPDATE ON categories FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TYPE product_status AS ENUM ('draft', 'published', 'unpublished');

CREATE TABLE products (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  seller_id     bigint NOT NULL REFERENCES users (id),
  category_id   bigint NOT NULL REFERENCES categories (id),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description   text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
  status        product_status NOT NULL DEFAULT 'draft',
  -- denormalised counters kept in the same transaction as the facts they count (sort by popularity)
  units_sold    integer NOT NULL DEFAULT 0,
  rating_count  integer NOT NULL DEFAULT 0,
  rating_sum    integer NOT NULL DEFAULT 0,
  legacy_id     text UNIQUE,
  search        tsvector GENERATED ALWAYS AS (to_tsvector('simple', name || ' ' || description)) STORED,
  published_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_listing_idx ON products (status, created_at DESC, id DESC);
CREATE INDEX products_category_idx ON products (category_id, status);
CREATE INDEX products_seller_idx ON products (seller_id);
CREATE INDEX products_search_idx ON products USING gin (search);
CREATE INDEX products_updated_at_idx ON products (updated_at);
CREATE TRIGGER products_updated_at BEFORE UPDATE ON products FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE product_variants (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id   bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  sku          text NOT NULL UNIQUE,
  size         text NOT NULL CHECK (length(size) BETWEEN 1 AND 20),
  colour       text NOT NULL CHECK (length(colour) BETWEEN 1 AND 40),
  price_cents  integer NOT NULL CHECK (price_cents >= 0 AND price_cents <= 100000000),
  -- stock on hand not yet reserved by an order: the CHECK is the last line against oversell
  stock        integer NOT NULL CHECK (stock >= 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (product_id, size, colour)
);
CREATE INDEX product_variants_product_idx ON product_variants (product_id);
CREATE INDEX product_variants_updated_at_idx ON product_variants (updated_at);
CREATE TRIGGER product_variants_updated_at BEFORE UPDATE ON product_variants FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE product_images (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id  bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  position    integer NOT NULL DEFAULT 0,
  -- content hash: the files live under uploads/images/<key>-<width>.<format>
  storage_key text NOT NULL,
  width       integer NOT NULL,
  height      integer NOT NULL,
  alt         text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX product_images_product_idx ON product_images (product_id, position);

CREATE TABLE carts (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- anonymous carts belong to a session; on login the cart moves to the user
  session_id  bytea UNIQUE REFERENCES sessions (id_hash) ON DELETE SET NULL,
  user_id     bigint UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER carts_updated_at BEFORE UPDATE ON carts FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE cart_items (
  cart_id     bigint NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
  variant_id  bigint NOT NULL REFERENCES product_variants (id) ON DELETE CASCADE,
  quantity    integer NOT NULL CHECK (quantity BETWEEN 1 AND 99),
  added_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (cart_id, variant_id)
);

CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded');

CREATE TABLE orders (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id          bigint REFERENCES users (id),
  status           order_status NOT NULL DEFAULT 'pending',
  currency         text NOT NULL DEFAULT 'USD',
  subtotal_cents   integer NOT NULL CHECK (subtotal_cents >= 0),
  shipping_cents   integer NOT NULL DEFAULT 0 CHECK (shipping_cents >= 0),
  total_cents      integer NOT NULL CHECK (total_cents >= 0),
  idempotency_key  text,
  -- 'shop' for orders placed here, 'legacy' for history imported from the old system
  source           text NOT NULL DEFAULT 'shop',
  legacy_id        text UNIQUE,
  placed_at        timestamptz NOT NULL DEFAULT now(),
  paid_at          timestamptz,
  shipped_at       timestamptz,
  delivered_at     timestamptz,
  cancelled_at     timestamptz,
  refunded_at      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, idempotency_key)
);
CREATE INDEX orders_user_idx ON orders (user_id, placed_at DESC);
CREATE INDEX orders_status_idx ON orders (status, placed_at);
CREATE INDEX orders_placed_at_idx ON orders (placed_at);
CREATE INDEX orders_updated_at_idx ON orders (updated_at);
CREATE TRIGGER orders_updated_at BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE order_items (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id         bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  product_id       bigint NOT NULL REFERENCES products (id),
  variant_id       bigint NOT NULL REFERENCES product_variants (id),
  seller_id        bigint NOT NULL REFERENCES users (id),
  quantity         integer NOT NULL CHECK (quantity > 0),
  unit_price_cents integer NOT NULL CHECK (unit_price_cents >= 0),
  -- snapshot of what was bought, as it was at the time
  product_name     text NOT NULL,
  size             text NOT NULL,
  colour           text NOT NULL
);
CREATE INDEX order_items_order_idx ON order_items (order_id);
CREATE INDEX order_items_product_idx ON order_items (product_id);
CREATE INDEX order_items_seller_idx ON order_items (seller_id);

CREATE TABLE order_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id    bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  from_status order_status,
  to_status   order_status NOT NULL,
  actor_id    bigint REFERENCES users (id),
  reason      text,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_events_order_idx ON order_events (order_id, at);

CREATE TYPE payment_status AS ENUM ('succeeded', 'declined', 'requires_retry', 'refunded');

CREATE TABLE payments (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id        bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  provider        text NOT NULL,
  provider_ref    text NOT NULL,
  status          payment_status NOT NULL,
  amount_cents    integer NOT NULL CHECK (amount_cents >= 0),
  -- only the brand and last four digits are ever stored; never the card number or CVC
  card_brand      text,
  card_last4      text CHECK (card_last4 ~ '^[0-9]{4}$'),
  error_code      text,
  idempotency_key text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, provider_ref),
  UNIQUE (order_id, idempotency_key)
);
CREATE INDEX payments_order_idx ON payments (order_id);
CREATE TRIGGER payments_updated_at BEFORE UPDATE ON payments FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Provider webhooks are stored once per event id (they may be delivered more than once).
CREATE TABLE payment_webhook_events (
  provider    text NOT NULL,
  event_id    text NOT NULL,
  type        text NOT NULL,
  payload     jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, event_id)
);

-- Replay store for Idempotency-Key on POST routes: same key + same request → same response.
CREATE TABLE idempotency_keys (
  user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  scope         text NOT NULL,
  key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  request_hash  text NOT NULL,
  status_code   integer,
  response      jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, scope, key)
);

CREATE TABLE reviews (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- only buyers review, once per order line
  order_item_id  bigint NOT NULL UNIQUE REFERENCES order_items (id) ON DELETE CASCADE,
  product_id     bigint NOT NULL REFERENCES products (id),
  user_id        bigint REFERENCES users (id),
  rating         smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  title          text CHECK (length(title) <= 200),
  body           text CHECK (length(body) <= 5000),
  legacy_id      text UNIQUE,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reviews_product_idx ON reviews (product_id, created_at DESC);
CREATE INDEX reviews_updated_at_idx ON reviews (updated_at);
CREATE TRIGGER reviews_updated_at BEFORE UPDATE ON reviews FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Small key/value store for process-wide facts (seed marker, demo info).
CREATE TABLE app_meta (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
