// The module an embedding daemon imports. It re-exports the value types an embedder
// needs from the layers below, so `import SFU` is enough.
@_exported import SFUMedia
@_exported import Signaling
