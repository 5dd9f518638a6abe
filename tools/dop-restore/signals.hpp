#pragma once

namespace dop::cli {

/// Installs SIGINT and SIGTERM handlers that ask the run to stop at the end of the
/// current iteration (see stop_signal). A second signal ends the process at once, with
/// the signal's default action.
void install_stop_handlers();

/// 0 while no stop was asked; else the number of the first signal that asked.
int stop_signal();

}  // namespace dop::cli
