//! Deployment tests: the static binary alone in a chroot (what a `scratch` image gives it), and
//! two replicas behind nginx with `deploy/nginx/tgs-converter.conf`.
//!
//! Both need what CI has and a laptop may not (root for `chroot`, Debian's nginx, which
//! `.ci/run` installs); without it a test prints `SKIPPED` and why.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::http::{Client, Server, listening_addr, png_size};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn smiley() -> Vec<u8> {
    std::fs::read(root().join("tests/fixtures/sticker/smiley.tgs")).expect("smiley fixture")
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// A fresh empty directory under `target/`.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = root().join("target/deploy-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}

/// A child process killed on drop.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn static_binary_runs_alone_in_a_chroot() {
    if !is_root() || !Path::new("/usr/sbin/chroot").exists() {
        eprintln!("SKIPPED static_binary_runs_alone_in_a_chroot: needs root and chroot");
        return;
    }
    // The README's static build, in its own target directory (other flags, other artifacts).
    let target_dir = root().join("target/static");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .current_dir(root())
        .args([
            "build",
            "--locked",
            "--profile",
            "dist",
            "--target",
            "x86_64-unknown-linux-gnu",
            "--bin",
            "tgs-converter",
        ])
        .env("RUSTFLAGS", "-C target-feature=+crt-static")
        .env("CARGO_TARGET_DIR", &target_dir)
        .status()
        .expect("run cargo build");
    assert!(status.success(), "static build failed");
    let binary = target_dir.join("x86_64-unknown-linux-gnu/dist/tgs-converter");

    let ldd = Command::new("ldd").arg(&binary).output().expect("run ldd");
    let ldd_text =
        String::from_utf8_lossy(&ldd.stdout).into_owned() + &String::from_utf8_lossy(&ldd.stderr);
    assert!(
        ldd_text.contains("statically linked") || ldd_text.contains("not a dynamic executable"),
        "the binary has dynamic dependencies:\n{ldd_text}"
    );

    // Alone in an empty directory: no libc, no /etc, no /tmp, no certificates.
    let jail = scratch_dir("chroot");
    std::fs::copy(&binary, jail.join("tgs-converter")).expect("copy the binary");
    let mut child = Command::new("/usr/sbin/chroot")
        .arg(&jail)
        .args(["/tgs-converter", "serve", "--host", "127.0.0.1"])
        .env_clear()
        .env("PORT", "0")
        .env("WORKER_POOL_SIZE", "2")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the server in the chroot");
    let stderr = child.stderr.take().expect("stderr");
    let server = Guard(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = listening_addr(&line) {
                let _ = tx.send(addr);
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the chrooted server logs its address");

    let client = Client::new(addr);
    let res = client.request(
        "POST",
        "/convert?frame=45",
        &[("content-type", "application/octet-stream")],
        &smiley(),
    );
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.header("content-type"), Some("image/png"));
    assert_eq!(png_size(&res.body), (512, 512));

    // The container's health check: the same binary, inside the same jail.
    let health = Command::new("/usr/sbin/chroot")
        .arg(&jail)
        .args(["/tgs-converter", "health", "--url"])
        .arg(format!("http://{addr}/health/ready"))
        .env_clear()
        .output()
        .expect("run health");
    assert!(
        health.status.success(),
        "health: {}",
        String::from_utf8_lossy(&health.stderr)
    );
    drop(server);
}

/// A free loopback port (bound, then released for nginx to take).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `deploy/nginx/tgs-converter.conf` with only its listen port changed, and a replicas file for
/// `replicas`, under `dir`; returns nginx's main configuration file.
fn nginx_config(dir: &Path, port: u16, replicas: &[SocketAddr]) -> PathBuf {
    let shipped = std::fs::read_to_string(root().join("deploy/nginx/tgs-converter.conf"))
        .expect("the shipped nginx configuration");
    assert_eq!(
        shipped.matches("listen 8080;").count(),
        1,
        "the test changes only the listen port"
    );
    let site = shipped.replace("listen 8080;", &format!("listen 127.0.0.1:{port};"));
    std::fs::write(dir.join("tgs-converter.conf"), site).unwrap();
    let servers: String = replicas
        .iter()
        .map(|addr| format!("server {addr} max_fails=1 fail_timeout=5s;\n"))
        .collect();
    std::fs::write(dir.join("tgs-converter-replicas.inc"), servers).unwrap();
    let d = dir.display();
    let user = if is_root() { "user root;\n" } else { "" };
    let main = format!(
        "{user}worker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         include {d}/tgs-converter.conf;\n}}\n"
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, main).unwrap();
    path
}

/// Requests of a replica answered from one of its caches (the output cache in front, else the
/// animation cache) and stickers it parsed, from its `/stats`.
fn hits_and_misses(server: &Server) -> (u64, u64) {
    let stats = server.stats();
    let field = |cache: &str, name: &str| {
        stats[cache][name]
            .as_u64()
            .unwrap_or_else(|| panic!("stats.{cache}.{name} in {stats}"))
    };
    (
        field("cache", "hits") + field("outputCache", "hits"),
        field("cache", "misses"),
    )
}

#[test]
fn nginx_routes_each_sticker_to_one_replica_and_fails_over() {
    let nginx = Path::new("/usr/sbin/nginx");
    if !nginx.exists() {
        eprintln!(
            "SKIPPED nginx_routes_each_sticker_to_one_replica_and_fails_over: no /usr/sbin/nginx (.ci/run installs Debian's nginx-light)"
        );
        return;
    }
    let replicas = [Server::start(), Server::start()];
    let dir = scratch_dir("nginx");
    let port = free_port();
    let conf = nginx_config(&dir, port, &[replicas[0].addr, replicas[1].addr]);
    let test = Command::new(nginx)
        .args(["-t", "-p"])
        .arg(&dir)
        .arg("-c")
        .arg(&conf)
        .output()
        .expect("run nginx -t");
    assert!(
        test.status.success(),
        "nginx -t: {}",
        String::from_utf8_lossy(&test.stderr)
    );
    let _nginx = Guard(
        Command::new(nginx)
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx"),
    );
    let proxy = Client::new(SocketAddr::from(([127, 0, 0, 1], port)));
    let mut ready = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            ready = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        ready,
        "nginx did not start: {:?}",
        std::fs::read_to_string(dir.join("error.log"))
    );

    // Several stickers (different bytes: different sizes of the same sticker's frames would
    // share one parsed animation, so each id gets its own file), each sent five times.
    let stickers: Vec<(String, Vec<u8>)> = (0..8)
        .map(|i| {
            let mut json = std::fs::read(root().join("tests/fixtures/shapes/rect_rounded.json"))
                .expect("rect_rounded fixture");
            // A trailing space per id keeps the JSON valid and the bytes distinct.
            json.extend(std::iter::repeat_n(b' ', i + 1));
            (format!("sticker-{i}"), json)
        })
        .collect();
    let send = |id: &str, body: &[u8], by_query: bool| {
        let (path, headers): (String, Vec<(&str, &str)>) = if by_query {
            (
                format!("/convert?file_unique_id={id}"),
                vec![("content-type", "application/json")],
            )
        } else {
            (
                "/convert".to_owned(),
                vec![("content-type", "application/json"), ("x-sticker-id", id)],
            )
        };
        proxy.request("POST", &path, &headers, body)
    };
    let mut owners = Vec::new();
    for (i, (id, body)) in stickers.iter().enumerate() {
        let before = [hits_and_misses(&replicas[0]), hits_and_misses(&replicas[1])];
        for _ in 0..5 {
            let res = send(id, body, i % 2 == 1);
            assert_eq!(
                res.status,
                200,
                "{id}: {}",
                String::from_utf8_lossy(&res.body)
            );
        }
        let after = [hits_and_misses(&replicas[0]), hits_and_misses(&replicas[1])];
        let delta: Vec<(u64, u64)> = (0..2)
            .map(|r| (after[r].0 - before[r].0, after[r].1 - before[r].1))
            .collect();
        // One replica parsed the sticker once and served the other four from its cache; the
        // other replica never saw it.
        let owner = match (delta[0], delta[1]) {
            ((4, 1), (0, 0)) => 0,
            ((0, 0), (4, 1)) => 1,
            other => panic!("{id}: (hits, misses) per replica {other:?}"),
        };
        owners.push(owner);
    }
    assert!(
        owners.contains(&0) && owners.contains(&1),
        "eight stickers all hashed to one replica: {owners:?}"
    );

    // One replica goes away: every sticker still converts, its stickers on the other replica.
    let [first, second] = replicas;
    drop(first);
    for (i, (id, body)) in stickers.iter().enumerate() {
        let res = send(id, body, i % 2 == 1);
        assert_eq!(res.status, 200, "{id} after failover");
    }
    let (hits, misses) = hits_and_misses(&second);
    assert!(
        misses >= 8 && hits > 0,
        "survivor: {hits} hits, {misses} misses"
    );
}
