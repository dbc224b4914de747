import FedSim
print("fedsim")
