import Foundation
public import Logging

extension Logger {
    /// A logger for tests: quiet unless `CABINET_TEST_LOG_LEVEL` asks for more.
    public static var test: Logger {
        var logger = Logger(label: "cabinet.test")
        logger.logLevel = ProcessInfoLevel.level
        return logger
    }
}

enum ProcessInfoLevel {
    static var level: Logger.Level {
        ProcessInfo.processInfo.environment["CABINET_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
    }
}
