// FedRobust module: see DESIGN.md.
