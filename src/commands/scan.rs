//! `anypoint-doctor scan [PATH...]`: find retired and risky Anypoint calls in
//! files, print them in the chosen format, and turn them into an exit status.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::{ScanArgs, ScanFailOn, ScanFormat};
use crate::error::{ConfigError, Error};
use crate::scan::rules::Severity;
use crate::scan::{self, ScanOptions, ScanResult, output};
use crate::{ExitStatus, Io};

pub fn run(args: &ScanArgs, io: &mut Io<'_>) -> Result<ExitStatus, Error> {
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    for root in &roots {
        let invalid = |reason: String| ConfigError::Invalid {
            setting: "scan PATH".into(),
            reason: format!("cannot scan {}: {reason}", root.display()),
        };
        std::fs::symlink_metadata(root).map_err(|e| invalid(e.to_string()))?;
        // A FIFO, device or socket named on purpose is a mistake to say, not "0 files".
        if let Ok(target) = std::fs::metadata(root)
            && !target.is_file()
            && !target.is_dir()
        {
            return Err(invalid(
                "it is not a regular file or folder (a FIFO, device or socket); name files or folders".into(),
            )
            .into());
        }
    }
    let result = scan::scan(&ScanOptions {
        roots,
        max_file_size: args.max_file_size,
        follow: args.follow,
        no_ignore: args.no_ignore,
    });
    for special in &result.skipped_special {
        writeln!(
            io.err,
            "note: skipped {}: not a regular file (a FIFO, device or socket)",
            special.display()
        )?;
    }
    for unreadable in &result.unreadable {
        writeln!(
            io.err,
            "warning: skipped {}: {}",
            crate::text::line(&unreadable.path.display().to_string()),
            crate::text::line(&unreadable.reason)
        )?;
    }
    match args.format {
        ScanFormat::Table => write!(
            io.out,
            "{}",
            output::table(&result, crate::text::width(io.terminal.width))
        )?,
        ScanFormat::Json => write_json(io.out, &output::json(&result))?,
        ScanFormat::Sarif => write_json(io.out, &output::sarif(&result))?,
    }
    Ok(exit_status(&result, args.fail_on))
}

fn write_json(out: &mut dyn Write, value: &serde_json::Value) -> Result<(), Error> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(std::io::Error::other)?;
    writeln!(out)?;
    Ok(())
}

/// 1 when a finding reaches `--fail-on`; otherwise 3 when something could not
/// be read (the scan is incomplete), else 0.
fn exit_status(result: &ScanResult, fail_on: ScanFailOn) -> ExitStatus {
    let threshold = match fail_on {
        ScanFailOn::Info => Some(Severity::Info),
        ScanFailOn::Warning => Some(Severity::Warning),
        ScanFailOn::Error => Some(Severity::Error),
        ScanFailOn::Never => None,
    };
    if threshold.is_some_and(|t| result.findings.iter().any(|f| f.rule.severity >= t)) {
        ExitStatus::Failed
    } else if !result.unreadable.is_empty() {
        ExitStatus::Incomplete
    } else {
        ExitStatus::Ok
    }
}
