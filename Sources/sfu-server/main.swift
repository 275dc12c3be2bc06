print("sfu-server: not yet wired")
