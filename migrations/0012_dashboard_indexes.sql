-- Indexes for the admin dashboard's queries (src/auth/key-page.ts, src/usage/queries/), chosen with
-- `npm run bench:usage` on 1,000,000 usage rows (bench/RESULTS.md, "Dashboard queries at 1,000,000
-- usage rows"). The rest already had what they need in 0001: a page of requests newest first, alone
-- or by key or model, reads about 150 rows through usage_by_time, usage_by_key or usage_by_model; the
-- hour, day, model and key totals and the per-model percentiles over a window read it through
-- usage_by_time. A covering index for those windows measured 1.0–1.7× faster for 22% more database,
-- and every usage row the gateway writes would pay for it: left out.

-- A key's spend in its budget period, summed for every key of a GET /admin/keys page: with the cost
-- in the index the sum reads no table row, 34× faster for a page of 50 keys. It begins with
-- usage_by_key's two columns, which it replaces: every query that used that index can use this one,
-- and a usage row still writes one entry per index.
CREATE INDEX usage_by_key_spend ON usage (key_id, created_at, cost_usd);
DROP INDEX usage_by_key;

-- Failed requests of one outcome, newest first (GET /admin/requests?outcome=…): without it a rare
-- outcome's page reads the newest rows until it has found a page of them, every row when there are
-- fewer. Partial: only failed rows have an entry, so writing an ok row costs nothing more. The
-- queries say `outcome <> 'ok'` beside `outcome = ?`, as SQLite uses a partial index only then.
CREATE INDEX usage_failures ON usage (outcome, created_at) WHERE outcome <> 'ok';
