# What differs per deployment, included by newsportal.vcl. These are docker-compose.yml's
# values: gunicorn is the `web` service, and the stack's own network (compose's
# `newsportal` network, subnet 172.30.86.0/24) holds the web containers, which purge,
# and nginx, the front proxy, which writes X-Real-IP. Elsewhere: your gunicorn's host and
# port, the addresses your web nodes purge from, and your front proxies' addresses.

backend default {
    .host = "web";
    .port = "8000";
    .connect_timeout = 5s;
    # A little over GUNICORN_TIMEOUT (30 s): gunicorn gives up on a stuck request first.
    .first_byte_timeout = 35s;
    .between_bytes_timeout = 10s;
}

acl purgers {
    "localhost";
    "172.30.86.0"/24;
}

acl front_proxies {
    "localhost";
    "172.30.86.0"/24;
}
