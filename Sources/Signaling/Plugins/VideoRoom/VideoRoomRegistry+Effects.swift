import RTP
import SFUMedia
import VideoRoomControl

/// Feeding rooms and carrying out what they decide.
extension VideoRoomRegistry {
    /// Feeds `input` to room `id` (if it still exists) and performs the effects; returns the
    /// request's error, if any (a failed rooms-file write included).
    @discardableResult
    func send(_ input: RoomInput, to id: VideoRoomID, from caller: RoomCaller?) -> Result<Void, VideoRoomError> {
        guard var room = rooms[id] else { return .success(()) }
        let (result, effects) = room.handle(input, from: caller, at: .now(), using: allocator)
        rooms[id] = room
        if let failure = perform(effects, room: id) { return .failure(failure) }
        return result
    }

    /// Performs `effects` in order; a failed rooms-file write stops there and is returned.
    func perform(_ effects: [RoomEffect], room: VideoRoomID) -> VideoRoomError? {
        for effect in effects {
            switch effect {
            case .toHandle(let handleID, let event):
                contexts[handleID]?.push(event)
            case .toContext(let context, let event):
                context.push(event)
            case .media(let command):
                perform(command)
            case .role(let handleID, let role):
                roles[handleID] = role
            case .observe(let event):
                configuration.observer?(event)
            case .persist:
                do throws(VideoRoomError) { try persist() } catch { return error }
            case .wake(let timer, let milliseconds):
                Task { [weak self] in
                    try? await Task.sleep(for: .milliseconds(Int64(clamping: milliseconds)))
                    await self?.send(.timer(timer), to: room, from: nil)
                }
            }
        }
        return nil
    }

    private func perform(_ command: MediaCommand) {
        switch command {
        case .start(let allocation, let setup, let handleID, let generation):
            media.startTransport(allocation, setup: setup, events: eventSink(handleID: handleID, generation: generation))
        case .update(let allocation, let setup):
            media.updateTransport(allocation, setup: setup)
        case .configure(let allocation, let settings):
            media.configurePublisher(allocation, settings: settings)
        case .bind(let allocation, let bindings):
            media.bindSubscriber(allocation, bindings: bindings)
        case .keyframe(let allocation, let mid):
            media.requestKeyframe(publisher: allocation, mid: mid)
        case .limit(let allocation, let maximumBitrate):
            media.limitSubscriber(allocation, maximumBitrate: maximumBitrate)
        case .close(let allocation):
            media.closeTransport(allocation)
        }
    }

    /// Writes every permanent room to the rooms file.
    func persist() throws(VideoRoomError) {
        guard let store else { return }
        do {
            try store.save(rooms.values.filter(\.permanent).map(\.settings))
        } catch {
            logger.error("videoroom: \(error)")
            throw VideoRoomError(VideoRoomError.unknown, "Error saving the rooms file")
        }
    }
}
