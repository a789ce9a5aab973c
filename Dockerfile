# The magento-contract binary alone, in a small image:
#   docker build -t magento-contract .
#   docker run --rm -e MAGENTO_BASE_URL=https://staging.example.com -e MAGENTO_ALLOW_WRITES=1 \
#     -e MAGENTO_ADMIN_TOKEN -v "$PWD/reports:/reports" -e MAGENTO_REPORT_DIR=/reports magento-contract
# Without MAGENTO_BASE_URL it checks its own embedded reference Magento.

# Alpine's Rust targets musl, so the binary is static; musl-dev is for ring's C and assembly.
FROM rust:1-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY .cargo .cargo
COPY crates crates
COPY tests tests
COPY benches benches
COPY features features
COPY schemas schemas
COPY snapshots snapshots
COPY drift drift
RUN cargo build --release --locked --bin magento-contract \
    && cp target/release/magento-contract /magento-contract

# A static base with CA certificates (for https stores) and a non-root user; nothing else.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /magento-contract /magento-contract
WORKDIR /home/nonroot
ENTRYPOINT ["/magento-contract"]
CMD ["run", "--color", "never"]
