/**
 * The SQL of link leases (issue 13): with N processes of one realm, exactly one sends to a given peer realm at a
 * time. A process claims a peer's row when it is free, expired or already its own (every claim raises `epoch`),
 * renews it every ttl/3, and applies an acknowledgement only while its epoch still holds (LEASE_HELD, checked in the
 * transaction of the completion). Times are the database's clock, so the processes' clocks need not agree.
 */

/** $1 realm, $2 owner, $3 ttl in ms → the new epoch, or no row while another owner's lease runs. */
export const CLAIM_LEASE = `
  INSERT INTO link_leases AS l (realm, owner, epoch, until)
    VALUES ($1, $2, 1, clock_timestamp() + make_interval(secs => $3::float8 / 1000))
  ON CONFLICT (realm) DO UPDATE SET owner = EXCLUDED.owner, epoch = l.epoch + 1, until = EXCLUDED.until
    WHERE l.until < clock_timestamp() OR l.owner = EXCLUDED.owner
  RETURNING epoch`;

/**
 * $1 realm, $2 owner, $3 epoch, $4 ttl in ms → one row while the lease is still this claim's. A lease that expired
 * unclaimed still renews: its epoch unchanged means nobody else has sent meanwhile.
 */
export const RENEW_LEASE = `
  UPDATE link_leases SET until = clock_timestamp() + make_interval(secs => $4::float8 / 1000)
  WHERE realm = $1 AND owner = $2 AND epoch = $3 RETURNING 1`;

/** $1 realm, $2 owner, $3 epoch: expires a held lease now (a process stopping hands the link over at once). */
export const RELEASE_LEASE = `
  UPDATE link_leases SET until = '-infinity' WHERE realm = $1 AND owner = $2 AND epoch = $3`;

/** $1 realm, $2 owner, $3 epoch → one row (locked to the end of the transaction) while the claim holds. */
export const LEASE_HELD = `
  SELECT 1 FROM link_leases WHERE realm = $1 AND owner = $2 AND epoch = $3 FOR UPDATE`;

/**
 * $1 realm: a transaction-scoped lock on the realm's outbox, taken before a row draws its seq, so one realm's rows
 * commit in seq order across processes (a reader that sees seq s has seen every lower seq of that realm).
 */
export const OUTBOX_ORDER_LOCK = `SELECT pg_advisory_xact_lock(hashtext('realmchat outbox ' || lower($1::text)))`;
