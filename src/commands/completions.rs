//! `anypoint-doctor completions SHELL` and `anypoint-doctor man`: the shell
//! completion script and the manual page, generated from the command-line
//! definitions themselves, so neither can drift from `--help`.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::Error;
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

pub fn man(io: &mut Io<'_>) -> Result<ExitStatus, Error> {
    let command = Cli::command();
    clap_mangen::Man::new(command).render(&mut *io.out)?;
    Ok(ExitStatus::Ok)
}
