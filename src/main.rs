use clap::Parser;

fn main() {
    let cli = sddgate::cli::Cli::parse();
    std::process::exit(sddgate::commands::run(cli));
}
