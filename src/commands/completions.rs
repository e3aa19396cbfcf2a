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
    io.out.write_all(&script)?;
    Ok(ExitStatus::Ok)
}

pub fn man(io: &mut Io<'_>) -> Result<ExitStatus, Error> {
    let command = Cli::command();
    clap_mangen::Man::new(command).render(&mut *io.out)?;
    Ok(ExitStatus::Ok)
}
