// FedAttacks module: see DESIGN.md.
