import NIOCore
import NIOPosix
import NIOSSL

/// The least of AMQP 0-9-1 that a publisher with confirms needs, for the RabbitMQ peer of
/// `relay-bench http`: open a connection over TLS with a client certificate, open one channel,
/// put it in confirm mode, declare a durable quorum queue, then publish persistent messages and
/// wait for each one's confirm. Nothing here is used by the relay itself.
///
/// Written from the AMQP 0-9-1 specification (frames, method ids, field tables); the broker's
/// answers other than those a publisher expects (a `Connection.Close` or `Channel.Close`) fail
/// whatever is waiting.
final class AMQPPublisher: @unchecked Sendable {
    let channel: Channel
    private let handler: AMQPPublisherHandler

    private init(channel: Channel, handler: AMQPPublisherHandler) {
        self.channel = channel
        self.handler = handler
    }

    /// Connects, authenticates with PLAIN (the broker's loopback guest) inside the mutual-TLS
    /// session, and declares `queue` as a durable quorum queue.
    static func connect(port: Int, tls: TLSConfiguration, queue: String, group: EventLoopGroup) async throws -> AMQPPublisher {
        let context = try NIOSSLContext(configuration: tls)
        let handler = AMQPPublisherHandler(queue: queue)
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: "localhost"))
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AMQPFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await handler.ready.futureResult.get()
        return AMQPPublisher(channel: channel, handler: handler)
    }

    /// Publishes one persistent message to the queue and returns when the broker confirms it.
    func publish(_ body: [UInt8]) async throws {
        let handler = self.handler
        let confirmed = channel.eventLoop.flatSubmit { handler.publish(body) }
        try await confirmed.get()
    }

    func close() async {
        try? await channel.close()
    }
}

/// One frame: type (1 method, 2 content header, 3 body, 8 heartbeat), channel and payload.
struct AMQPFrame {
    var type: UInt8
    var channel: UInt16
    var payload: ByteBuffer
}

struct AMQPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = AMQPFrame

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard buffer.readableBytes >= 8,
              let size = buffer.getInteger(at: buffer.readerIndex + 3, as: UInt32.self),
              buffer.readableBytes >= 8 + Int(size) else { return .needMoreData }
        let type = buffer.readInteger(as: UInt8.self)!
        let channel = buffer.readInteger(as: UInt16.self)!
        buffer.moveReaderIndex(forwardBy: 4)
        let payload = buffer.readSlice(length: Int(size))!
        guard buffer.readInteger(as: UInt8.self) == 0xCE else { throw AMQPError.protocolViolation("frame without its end octet") }
        context.fireChannelRead(wrapInboundOut(AMQPFrame(type: type, channel: channel, payload: payload)))
        return .continue
    }
}

enum AMQPError: Error, CustomStringConvertible {
    case protocolViolation(String)
    case closedByBroker(code: UInt16, text: String)
    case connectionClosed

    var description: String {
        switch self {
        case .protocolViolation(let what): "AMQP: \(what)"
        case .closedByBroker(let code, let text): "AMQP: the broker closed with \(code) \(text)"
        case .connectionClosed: "AMQP: the connection closed"
        }
    }
}

/// The connection's state machine; runs on the channel's event loop only.
final class AMQPPublisherHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AMQPFrame
    typealias OutboundOut = ByteBuffer

    let queue: String
    /// Fulfilled when the queue is declared and the channel is in confirm mode.
    var ready: EventLoopPromise<Void>!
    private var context: ChannelHandlerContext?
    private var frameMax = 131_072
    private var nextTag: UInt64 = 1
    private var pending: [UInt64: EventLoopPromise<Void>] = [:]

    init(queue: String) {
        self.queue = queue
    }

    func handlerAdded(context: ChannelHandlerContext) {
        ready = context.eventLoop.makePromise()
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        var header = context.channel.allocator.buffer(capacity: 8)
        header.writeBytes(Array("AMQP".utf8) + [0, 0, 9, 1])
        context.writeAndFlush(wrapOutboundOut(header), promise: nil)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(AMQPError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail(error)
        context.close(promise: nil)
    }

    private func fail(_ error: Error) {
        ready.fail(error)
        for promise in pending.values { promise.fail(error) }
        pending = [:]
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = unwrapInboundIn(data)
        guard frame.type == 1 else { return }  // heartbeats are off; a publisher gets no content
        guard let classID = frame.payload.readInteger(as: UInt16.self), let methodID = frame.payload.readInteger(as: UInt16.self) else {
            return errorCaught(context: context, error: AMQPError.protocolViolation("short method frame"))
        }
        switch (classID, methodID) {
        case (10, 10):  // Connection.Start: answer with PLAIN
            var arguments = ByteBuffer()
            arguments.writeInteger(UInt32(0))  // client properties: an empty table
            arguments.writeShortString("PLAIN")
            arguments.writeLongString(Array("\u{0}guest\u{0}guest".utf8))
            arguments.writeShortString("en_US")
            send(channel: 0, classID: 10, methodID: 11, arguments)
        case (10, 30):  // Connection.Tune: accept its limits, no heartbeats
            let channelMax = frame.payload.readInteger(as: UInt16.self) ?? 0
            frameMax = Int(frame.payload.readInteger(as: UInt32.self) ?? 131_072)
            var tune = ByteBuffer()
            tune.writeInteger(channelMax)
            tune.writeInteger(UInt32(frameMax))
            tune.writeInteger(UInt16(0))
            send(channel: 0, classID: 10, methodID: 31, tune)
            var open = ByteBuffer()
            open.writeShortString("/")
            open.writeShortString("")
            open.writeInteger(UInt8(0))
            send(channel: 0, classID: 10, methodID: 40, open)
        case (10, 41):  // Connection.OpenOk
            var open = ByteBuffer()
            open.writeShortString("")
            send(channel: 1, classID: 20, methodID: 10, open)
        case (20, 11):  // Channel.OpenOk: confirm mode
            var select = ByteBuffer()
            select.writeInteger(UInt8(0))
            send(channel: 1, classID: 85, methodID: 10, select)
        case (85, 11):  // Confirm.SelectOk: declare the durable quorum queue
            var declare = ByteBuffer()
            declare.writeInteger(UInt16(0))
            declare.writeShortString(queue)
            declare.writeInteger(UInt8(0b0000_0010))  // durable; not passive, exclusive, auto-delete or no-wait
            var table = ByteBuffer()
            table.writeShortString("x-queue-type")
            table.writeInteger(UInt8(ascii: "S"))
            table.writeLongString(Array("quorum".utf8))
            declare.writeInteger(UInt32(table.readableBytes))
            declare.writeImmutableBuffer(table)
            send(channel: 1, classID: 50, methodID: 10, declare)
        case (50, 11):  // Queue.DeclareOk
            ready.succeed(())
        case (60, 80), (60, 120):  // Basic.Ack, Basic.Nack
            guard let tag = frame.payload.readInteger(as: UInt64.self), let bits = frame.payload.readInteger(as: UInt8.self) else { return }
            let confirmed = bits & 1 == 1 ? pending.keys.filter { $0 <= tag } : [tag]
            for key in confirmed {
                if methodID == 80 { pending.removeValue(forKey: key)?.succeed(()) } else {
                    pending.removeValue(forKey: key)?.fail(AMQPError.protocolViolation("the broker refused message \(key)"))
                }
            }
        case (10, 50), (20, 40):  // Connection.Close, Channel.Close
            let code = frame.payload.readInteger(as: UInt16.self) ?? 0
            let length = Int(frame.payload.readInteger(as: UInt8.self) ?? 0)
            let text = frame.payload.readString(length: length) ?? ""
            errorCaught(context: context, error: AMQPError.closedByBroker(code: code, text: text))
        default:
            break
        }
    }

    /// Writes Basic.Publish, its content header (persistent) and body frames; the promise is
    /// fulfilled by the broker's Basic.Ack for this delivery tag.
    func publish(_ body: [UInt8]) -> EventLoopFuture<Void> {
        guard let context else { return ready.futureResult.eventLoop.makeFailedFuture(AMQPError.connectionClosed) }
        let promise = context.eventLoop.makePromise(of: Void.self)
        pending[nextTag] = promise
        nextTag += 1
        var publish = ByteBuffer()
        publish.writeInteger(UInt16(0))
        publish.writeShortString("")  // the default exchange
        publish.writeShortString(queue)  // routes to the queue of that name
        publish.writeInteger(UInt8(0))  // neither mandatory nor immediate
        send(channel: 1, classID: 60, methodID: 40, publish, flush: false)
        var header = ByteBuffer()
        header.writeInteger(UInt16(60))
        header.writeInteger(UInt16(0))
        header.writeInteger(UInt64(body.count))
        header.writeInteger(UInt16(0x1000))  // property flags: delivery-mode only
        header.writeInteger(UInt8(2))  // persistent
        frame(type: 2, channel: 1, header, flush: false)
        let chunk = max(frameMax - 8, 1)
        var offset = 0
        repeat {
            let end = min(offset + chunk, body.count)
            frame(type: 3, channel: 1, ByteBuffer(bytes: body[offset..<end]), flush: end == body.count)
            offset = end
        } while offset < body.count
        return promise.futureResult
    }

    private func send(channel: UInt16, classID: UInt16, methodID: UInt16, _ arguments: ByteBuffer, flush: Bool = true) {
        var payload = ByteBuffer()
        payload.writeInteger(classID)
        payload.writeInteger(methodID)
        payload.writeImmutableBuffer(arguments)
        frame(type: 1, channel: channel, payload, flush: flush)
    }

    private func frame(type: UInt8, channel: UInt16, _ payload: ByteBuffer, flush: Bool) {
        guard let context else { return }
        var buffer = context.channel.allocator.buffer(capacity: payload.readableBytes + 8)
        buffer.writeInteger(type)
        buffer.writeInteger(channel)
        buffer.writeInteger(UInt32(payload.readableBytes))
        buffer.writeImmutableBuffer(payload)
        buffer.writeInteger(UInt8(0xCE))
        if flush { context.writeAndFlush(wrapOutboundOut(buffer), promise: nil) } else { context.write(wrapOutboundOut(buffer), promise: nil) }
    }
}

extension ByteBuffer {
    mutating func writeShortString(_ string: String) {
        let bytes = Array(string.utf8.prefix(255))
        writeInteger(UInt8(bytes.count))
        writeBytes(bytes)
    }

    mutating func writeLongString(_ bytes: [UInt8]) {
        writeInteger(UInt32(bytes.count))
        writeBytes(bytes)
    }
}
