"""The local stack: Redis (embedded when none answers), worker, web server and sweeper."""
