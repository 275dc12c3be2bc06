import SFUMedia
import VideoRoomControl

/// Error codes of the room-control extension: 520–527, outside every range Janus uses (core
/// 403–490, plugins 411–499), in the same `{"videoroom":"event","error_code":N,"error":"…"}`
/// shape as Janus's own.
extension VideoRoomError {
    static let notModerator = 520
    static let notAdmitted = 521
    static let noSuchParticipant = 522
    static let notWaiting = 523
    static let handAlreadyRaised = 524
    static let handNotRaised = 525
    static let roleUnchanged = 526
    static let alreadyPresent = 527

    static let waitingForAdmission = VideoRoomError(
        notAdmitted, "Not admitted yet: wait for a moderator (only leave is possible)")

    init(_ error: RoomControlError, room: VideoRoomID) {
        switch error {
        case .notModerator:
            self.init(Self.notModerator, "Unauthorized (moderator only)")
        case .notAdmitted:
            self = Self.waitingForAdmission
        case .noSuchParticipant(let id):
            self.init(Self.noSuchParticipant, "No such participant \(id) in room \(room)")
        case .notWaiting(let id):
            self.init(Self.notWaiting, "Participant \(id) is not waiting in room \(room)")
        case .handAlreadyRaised(let id):
            self.init(Self.handAlreadyRaised, "Hand of \(id) already raised")
        case .handNotRaised(let id):
            self.init(Self.handNotRaised, "Hand of \(id) not raised")
        case .roleUnchanged(let id, let role):
            self.init(Self.roleUnchanged, "Participant \(id) is already a \(role.rawValue)")
        case .alreadyPresent(let id):
            self.init(Self.alreadyPresent, "Participant \(id) is already in room \(room)")
        }
    }
}
