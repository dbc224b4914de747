// FedSim module: see DESIGN.md.
