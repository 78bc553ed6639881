# tgs-converter in a `scratch` image: one static binary and nothing else.
#
#   docker build -t tgs-converter .
#   docker run --rm -p 3000:3000 tgs-converter
#
# The binary is built fully static on the gnu target (`+crt-static`), so the last stage needs no
# libc, no /etc and no certificates; `tests/integration/deploy.rs` proves that by running the same
# build alone in an empty chroot.

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN RUSTFLAGS="-C target-feature=+crt-static" \
    cargo build --locked --profile dist --target x86_64-unknown-linux-gnu --bin tgs-converter \
 && cp target/x86_64-unknown-linux-gnu/dist/tgs-converter /tgs-converter

FROM scratch
COPY --from=build /tgs-converter /tgs-converter
# Any unprivileged uid works: the service writes no files.
USER 65534:65534
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
# scratch has no curl: the binary asks itself.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/tgs-converter", "health"]
ENTRYPOINT ["/tgs-converter"]
CMD ["serve"]
