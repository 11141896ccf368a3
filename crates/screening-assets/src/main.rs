//! `screening-assets prepare <widget build dir> <out dir>`: the widget's files hashed and
//! compressed once, for a release binary to embed (`pkg-scripts/release`).

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [cmd, from, to] if cmd == "prepare" => {
            match screening_assets::prepare_dir(from.as_ref(), to.as_ref()) {
                Ok(n) => {
                    println!("{n} files prepared into {to}");
                    std::process::ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("screening-assets: {from}: {e}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("usage: screening-assets prepare <widget build dir> <out dir>");
            std::process::ExitCode::from(2)
        }
    }
}
