-- Casefile schema version 5: network events (connect, bind), with their results.

-- Socket addresses, each stored once (events.object_id of network events points here).
CREATE TABLE addresses (
    id       INTEGER PRIMARY KEY,
    family   INTEGER NOT NULL,   -- 2 AF_INET, 10 AF_INET6, 1 AF_UNIX (others: raw bytes in hex)
    address  TEXT NOT NULL,      -- '127.0.0.1', '::1', a unix socket path ('@name' when abstract), exact bytes
    UNIQUE (family, address)
);
