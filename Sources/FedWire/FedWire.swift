// FedWire module: see DESIGN.md.
