//! `anypoint-doctor completions SHELL` and `anypoint-doctor man`: the shell
//! completion script and the manual page, generated from the command-line
//! definitions themselves, so neither can drift from `--help`.

use clap::CommandFactory;

use crate::cli::{Cli, ManArgs};
use crate::error::{ConfigError, Error};
use crate::{ExitStatus, Io};

pub fn completions(shell: clap_complete::Shell, io: &mut Io<'_>) -> Result<ExitStatus, Error> {
    let mut command = Cli::command();
    // Into memory first: `generate` panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "anypoint-doctor", &mut script);
    if shell == clap_complete::Shell::Bash {
        script = bash_fixed(&script);
    }
    io.out.write_all(&script)?;
    Ok(ExitStatus::Ok)
}

/// clap_complete 4.6's bash script for a hyphenated name: its dispatcher
/// sets `anypoint__doctor__subcmd__check`, but names the case branches
/// `anypoint__subcmd__doctor__subcmd__check`, so nothing below the top
/// level completes. The branches get the dispatcher's names; once the
/// generator agrees with itself this changes nothing.
fn bash_fixed(script: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(script)
        .replace("anypoint__subcmd__doctor__", "anypoint__doctor__")
        .into_bytes()
}

pub fn man(args: &ManArgs, io: &mut Io<'_>) -> Result<ExitStatus, Error> {
    let command = Cli::command();
    let Some(folder) = &args.out_dir else {
        clap_mangen::Man::new(command).render(&mut *io.out)?;
        return Ok(ExitStatus::Ok);
    };
    let unwritable = |reason: std::io::Error| ConfigError::Invalid {
        setting: format!(
            "--out-dir {}",
            crate::text::line(&folder.display().to_string())
        ),
        reason: format!("{reason}; give a folder you can write to"),
    };
    std::fs::create_dir_all(folder).map_err(unwritable)?;
    let pages = pages(command);
    for (name, page) in &pages {
        let mut roff = Vec::new();
        clap_mangen::Man::new(page.clone()).render(&mut roff)?;
        crate::files::replace(&folder.join(format!("{name}.1")), &roff).map_err(unwritable)?;
    }
    writeln!(
        io.err,
        "Wrote {} manual pages to {}.",
        pages.len(),
        crate::text::line(&folder.display().to_string())
    )?;
    Ok(ExitStatus::Ok)
}

/// Every command's page, named as the top page's SEE ALSO names them
/// (`anypoint-doctor-create-app`); `help` has none.
fn pages(command: clap::Command) -> Vec<(String, clap::Command)> {
    let command = command.disable_help_subcommand(true);
    let command = match command.get_bin_name() {
        Some(_) => command,
        None => {
            let bin = command.get_name().to_string();
            command.bin_name(bin)
        }
    };
    let name = command
        .get_display_name()
        .unwrap_or(command.get_name())
        .to_string();
    let mut all = Vec::new();
    for sub in command.get_subcommands() {
        let full = format!("{name}-{}", sub.get_name());
        let usage = format!(
            "{} {}",
            command.get_bin_name().unwrap_or(command.get_name()),
            sub.get_name()
        );
        let sub = sub
            .clone()
            .display_name(full)
            .bin_name(usage)
            .version(env!("CARGO_PKG_VERSION"));
        all.extend(pages(sub));
    }
    all.insert(0, (name, command));
    all
}
