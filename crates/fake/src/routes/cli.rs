//! The command-line tools: the administrator CLI's releases (`/v1/k8s/admin-cli…`, tar
//! archives with their checksums), and the researcher CLI (`/api/v1/cli-exposer…`, and
//! its deprecated former place `/api/v1/cli…`): programs per operating system and
//! architecture, installer scripts, the commands that run them, and manual pages.
//!
//! Every file is a small, deterministic placeholder (the researcher program is as large
//! as `FakeConfig::cli_binary_size` asks, made as it is sent); the checksums are those of
//! the exact bytes served.

use base64::Engine;
use md5::{Digest, Md5};
use serde_json::json;

use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::reply::{Generated, Reply};

/// The administrator CLI's releases, oldest first: the last is the current one.
const ADMIN_RELEASES: [&str; 3] = ["v2.19.0", "v2.20.0", "v2.21.0"];
/// The operating systems of the administrator CLI (the spec's `os` enum).
const ADMIN_SYSTEMS: [&str; 2] = ["linux", "darwin"];
/// The researcher CLI's programs: operating systems and architectures.
const SYSTEMS: [&str; 3] = ["linux", "darwin", "windows"];
const ARCHITECTURES: [&str; 2] = ["amd64", "arm64"];
/// The manual's pages, by document name, with the command each describes.
const MANUAL: [(&str, &str, &str); 4] = [
    (
        "runai.md",
        "runai",
        "The Run:ai researcher command-line interface.",
    ),
    (
        "runai_login.md",
        "runai login",
        "Sign in to the control plane.",
    ),
    (
        "runai_logout.md",
        "runai logout",
        "Sign out and forget the stored token.",
    ),
    (
        "runai_version.md",
        "runai version",
        "Print the CLI's version.",
    ),
];

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, _store: &mut Access<'_>) -> Option<Answer> {
    let id = call.op.id.as_str();
    let answer = match id {
        "getAdminCLIRelease" => admin_release(call, current_release()),
        "getAdminCLIReleaseByVersion" => admin_release(call, call.param("version")),
        "getAdminCLIReleaseChecksum" => admin_checksum(call, current_release()),
        "getAdminCLIReleaseByVersionChecksum" => admin_checksum(call, call.param("version")),
        _ => researcher(call, id.strip_suffix("_deprecated").unwrap_or(id))?,
    };
    Some(answer)
}

fn current_release() -> &'static str {
    ADMIN_RELEASES.last().copied().unwrap_or_default()
}

/// The release archive of `version` for the path's `os`.
fn admin_archive(call: &Call<'_>, version: &str) -> Result<Vec<u8>, ApiError> {
    let os = call.param("os");
    if !ADMIN_SYSTEMS.contains(&os) {
        return Err(
            ApiError::bad_request(format!("os: unknown operating system {os:?}"))
                .with_details(format!("one of: {}", ADMIN_SYSTEMS.join(", "))),
        );
    }
    if !ADMIN_RELEASES.contains(&version) {
        return Err(
            ApiError::not_found(format!("no administrator CLI release {version:?}"))
                .with_details(format!("releases: {}", ADMIN_RELEASES.join(", "))),
        );
    }
    let program = format!(
        "#!/bin/sh\n# runai-adm {version} for {os}: a placeholder of the fake control plane.\n\
         echo \"runai-adm {version} ({os})\"\n"
    );
    Ok(tar_of("runai-adm", program.as_bytes()))
}

fn admin_release(call: &Call<'_>, version: &str) -> Answer {
    let archive = admin_archive(call, version)?;
    let name = format!("runai-adm-{version}-{}.tar", call.param("os"));
    Ok(Reply::file("application/x-tar", archive)
        .with_header("content-disposition", attachment(&name)))
}

/// The hashes of the archive `admin_release` serves, as object stores give them: base64
/// of the MD5 digest and of the big-endian CRC32C.
fn admin_checksum(call: &Call<'_>, version: &str) -> Answer {
    let archive = admin_archive(call, version)?;
    let b64 = base64::engine::general_purpose::STANDARD;
    Ok(Reply::json(
        200,
        &json!({
            "description": format!("runai-adm {version} for {}", call.param("os")),
            "md5Hash": b64.encode(Md5::digest(&archive)),
            "crc32c": b64.encode(crc32c(&archive).to_be_bytes()),
        }),
    ))
}

/// The researcher CLI's operations, current or deprecated (the same answers, the paths
/// in scripts and commands under the prefix the call used).
fn researcher(call: &Call<'_>, id: &str) -> Option<Answer> {
    // `/api/v1/cli-exposer` or `/api/v1/cli`: the first three segments.
    let prefix: Vec<&str> = call.op.path.split('/').take(4).collect();
    let base = format!("{}{}", call.shared.url, prefix.join("/"));
    let answer = match id {
        "get_binary" => binary(call),
        "get_manual_document" => manual(call.param("documentName")),
        "get_installer_linux" => Ok(installer(&base, Some("linux"))),
        "get_installer_mac" => Ok(installer(&base, Some("darwin"))),
        "get_installer_unix" => Ok(installer(&base, None)),
        "get_installer_linux_commands" => {
            Ok(command(format!("curl -fsSL {base}/installer/linux | sh")))
        }
        "get_installer_mac_commands" => {
            Ok(command(format!("curl -fsSL {base}/installer/mac | sh")))
        }
        "get_installer_unix_commands" => {
            Ok(command(format!("curl -fsSL {base}/installer/unix | sh")))
        }
        "get_installer_windows_commands" => Ok(command(format!(
            "Invoke-WebRequest -Uri {base}/dist/windows/amd64/runai -OutFile runai.exe"
        ))),
        _ => return None,
    };
    Some(answer)
}

/// The placeholder program of the path's system and architecture: `cli_binary_size`
/// bytes, the same for the same pair, made as they are sent.
fn binary(call: &Call<'_>) -> Answer {
    let (os, arch) = (call.param("operatingSystem"), call.param("architecture"));
    let system = SYSTEMS.iter().position(|s| *s == os);
    let architecture = ARCHITECTURES.iter().position(|a| *a == arch);
    let (Some(system), Some(architecture)) = (system, architecture) else {
        return Err(
            ApiError::not_found(format!("no researcher CLI for {os}/{arch}")).with_details(
                format!(
                    "systems: {}; architectures: {}",
                    SYSTEMS.join(", "),
                    ARCHITECTURES.join(", ")
                ),
            ),
        );
    };
    let generated = Generated {
        len: call.shared.cli_binary_size,
        seed: (system * ARCHITECTURES.len() + architecture) as u64,
    };
    let name = if os == "windows" {
        "runai.exe"
    } else {
        "runai"
    };
    Ok(Reply::file(
        "application/octet-stream",
        crate::reply::Body::Generated(generated),
    )
    .with_header("content-disposition", attachment(name)))
}

/// An installer script: it picks the architecture (and with `os` unset the system) of
/// the machine it runs on and fetches the matching program.
fn installer(base: &str, os: Option<&str>) -> Reply {
    let system = match os {
        Some(os) => format!("os={os}"),
        None => "os=$(uname -s | tr '[:upper:]' '[:lower:]')".to_string(),
    };
    let script = format!(
        "#!/bin/sh\n\
         # Installs the Run:ai researcher command-line interface.\n\
         set -e\n\
         {system}\n\
         case \"$(uname -m)\" in\n  x86_64|amd64) arch=amd64 ;;\n  aarch64|arm64) arch=arm64 ;;\n  \
         *) echo \"unsupported architecture $(uname -m)\" >&2; exit 1 ;;\nesac\n\
         curl -fsSL -o runai \"{base}/dist/$os/$arch/runai\"\n\
         chmod +x runai\n\
         mv runai /usr/local/bin/runai\n\
         echo \"runai installed in /usr/local/bin\"\n"
    );
    Reply::file("text/plain; charset=utf-8", script.into_bytes())
}

fn command(command: String) -> Reply {
    Reply::json(200, &json!({ "command": command }))
}

fn manual(document: &str) -> Answer {
    let Some((_, title, summary)) = MANUAL.iter().find(|(name, _, _)| *name == document) else {
        let names: Vec<&str> = MANUAL.iter().map(|(name, _, _)| *name).collect();
        return Err(
            ApiError::not_found(format!("no manual document {document:?}"))
                .with_details(format!("documents: {}", names.join(", "))),
        );
    };
    let page = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body><h1>{title}</h1>\n<p>{summary}</p>\n</body></html>\n"
    );
    Ok(Reply::file("text/html; charset=utf-8", page.into_bytes()))
}

fn attachment(name: &str) -> String {
    format!("attachment; filename=\"{name}\"")
}

/// A POSIX tar archive of one executable file, the same bytes every time (fixed owner and
/// time): 512-byte header, the contents padded to 512, two zero blocks to end it.
fn tar_of(name: &str, contents: &[u8]) -> Vec<u8> {
    const BLOCK: usize = 512;
    fn write_field(header: &mut [u8], at: usize, field: &[u8]) {
        for (slot, byte) in header.iter_mut().skip(at).zip(field) {
            *slot = *byte;
        }
    }
    let mut header = [0u8; BLOCK];
    write_field(&mut header, 0, name.as_bytes());
    write_field(&mut header, 100, b"0000755\0");
    write_field(&mut header, 108, b"0000000\0");
    write_field(&mut header, 116, b"0000000\0");
    write_field(
        &mut header,
        124,
        format!("{:011o}\0", contents.len()).as_bytes(),
    );
    // 2026-01-01T00:00:00Z.
    write_field(
        &mut header,
        136,
        format!("{:011o}\0", 1_767_225_600u64).as_bytes(),
    );
    write_field(&mut header, 148, b"        ");
    write_field(&mut header, 156, b"0");
    write_field(&mut header, 257, b"ustar\0");
    write_field(&mut header, 263, b"00");
    write_field(&mut header, 265, b"root");
    write_field(&mut header, 297, b"root");
    let sum: u32 = header.iter().map(|b| u32::from(*b)).sum();
    write_field(&mut header, 148, format!("{sum:06o}\0 ").as_bytes());
    let mut out = header.to_vec();
    out.extend_from_slice(contents);
    out.resize(out.len().div_ceil(BLOCK) * BLOCK + 2 * BLOCK, 0);
    out
}

/// CRC-32C (Castagnoli), the checksum object stores give beside MD5.
fn crc32c(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0x82F6_3B78 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_matches_the_standard_check_value() {
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
    }

    #[test]
    fn the_archive_is_a_valid_tar_of_its_program() {
        let archive = tar_of("runai-adm", b"#!/bin/sh\n");
        assert_eq!(archive.len(), 4 * 512);
        let header = &archive[..512];
        let stored: u32 =
            u32::from_str_radix(std::str::from_utf8(&header[148..154]).expect("octal"), 8)
                .expect("a checksum");
        let mut blanked = header.to_vec();
        blanked[148..156].copy_from_slice(b"        ");
        assert_eq!(stored, blanked.iter().map(|b| u32::from(*b)).sum::<u32>());
        assert_eq!(&archive[512..522], b"#!/bin/sh\n");
        assert_eq!(tar_of("runai-adm", b"#!/bin/sh\n"), archive);
    }
}
