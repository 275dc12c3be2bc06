#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The rooms file for `permanent` rooms: `{"rooms":[<create-style objects>]}`. Janus keeps them
/// in its libconfig `.jcfg`; we use JSON with the same keys. Every save writes a temporary file
/// in the same directory and renames it over the old one, so a crash leaves either the old or
/// the new file, never a torn one (rename(2) is atomic within a file system).
struct VideoRoomStore: Sendable {
    let path: String

    enum StoreError: Error, CustomStringConvertible {
        case unreadable(String)
        case write(String)
        var description: String {
            switch self {
            case .unreadable(let why): "rooms file unreadable: \(why)"
            case .write(let why): "rooms file not written: \(why)"
            }
        }
    }

    /// The rooms in the file; a missing file is an empty list.
    func load() throws(StoreError) -> [VideoRoomSettings] {
        guard access(path, F_OK) == 0 else { return [] }
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.contents(ofFile: path)
        } catch {
            throw .unreadable("\(error)")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw .unreadable("\(error)")
        }
        guard let entries = value["rooms"]?.arrayValue else { throw .unreadable("no \"rooms\" array") }
        var rooms: [VideoRoomSettings] = []
        for entry in entries {
            guard let object = entry.objectValue, let id = object["room"]?.uint64Value else {
                throw .unreadable("room entry without an integer \"room\"")
            }
            do {
                rooms.append(try VideoRoomSettings(room: id, create: VideoRoomFields(object)))
            } catch {
                throw .unreadable("room \(id): \(error.reason)")
            }
        }
        return rooms
    }

    func save(_ rooms: [VideoRoomSettings]) throws(StoreError) {
        let document: JSONValue = [
            "rooms": .array(rooms.sorted { $0.room < $1.room }.map { .object($0.persisted) })
        ]
        let bytes = JSONSerializer.serialize(document) + [UInt8(ascii: "\n")]
        let temporary = path + ".tmp-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try FileBytes.store(bytes, inFile: temporary)
        } catch {
            unlink(temporary)
            throw .write("cannot create \(temporary): \(error)")
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw .write("rename failed (errno \(code))")
        }
    }
}
