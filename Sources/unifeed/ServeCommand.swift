#if Server
    import ArgumentParser
    import Catalog
    import Foundation
    import Server
    import StorePort

    /// `unifeed serve`: feeds by URL, live stock, availability and order uploads over HTTP (DESIGN.md §9).
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the published feeds, the stock API and availability over HTTP until SIGTERM or SIGINT.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Address to listen on, HOST:PORT (port 0: any free port).") var listen = "127.0.0.1:8080"
        @Option(help: "The publish output folder whose files /feeds/ serves.") var out = "feeds"
        @Option(help: "TLS certificate chain (PEM); with --tls-key, the server speaks HTTPS.") var tlsCert: String?
        @Option(help: "TLS private key (PEM).") var tlsKey: String?
        @Flag(help: "Sync every commit to the disk (SQLite synchronous=FULL): an acknowledged movement survives a power cut, at a cost in throughput.")
        var durable = false

        func validate() throws {
            guard ServerOptions.parseListen(listen) != nil else { throw ValidationError("--listen must be HOST:PORT, such as 127.0.0.1:8080") }
            guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        }

        func run() async throws {
            let (config, channels) = try global.loadConfigAndChannels()
            let store = try global.openStore(create: true, durable: durable, serving: true)
            var options = ServerOptions()
            (options.host, options.port) = ServerOptions.parseListen(listen)!
            options.outDir = URL(fileURLWithPath: out).standardizedFileURL.path
            options.tlsCertificate = tlsCert
            options.tlsKey = tlsKey
            let scheme = tlsCert == nil ? "http" : "https"
            let (outDir, location) = (options.outDir, store.location)
            do {
                try await UnifeedServer(store: store, config: config, channels: channels, options: options).run { address in
                    printError("unifeed serve: listening on \(scheme)://\(address) (feeds from \(outDir), database \(location))")
                }
            } catch {
                printError("unifeed serve: error: \(error)")
                throw ExitCode.failure
            }
        }
    }

    /// `unifeed tokens create|list|revoke`: the API's tokens; the store keeps only their SHA-256.
    struct Tokens: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, list and revoke the server's API tokens.", subcommands: [Create.self, List.self, Revoke.self])

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create a token and print it once (only its hash is stored).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "A name for the token (letters, digits, - _ .).") var name: String
            @Option(help: "Scopes, comma-separated: feeds:read, stock:read, stock:write, orders:write, admin.") var scope: String

            func run() throws {
                let name: String
                let scopes: Set<Scope>
                do {
                    name = try TokenName.validate(self.name)
                    scopes = try Scope.parseList(scope)
                } catch {
                    printError("error: \(error.message)")
                    throw ExitCode(64)
                }
                let store = try global.openStore(create: true)
                let (token, hash) = TokenSecret.generate()
                let created = try orExit {
                    try store.managingTokens { try $0.create(name: name, hash: hash, scopes: scopes, at: Timestamp.now.iso8601UTC) }
                }
                guard created else {
                    printError("error: a token named '\(name)' exists (revoked tokens keep their names); choose another name")
                    throw ExitCode.failure
                }
                print(token)
                printError("token '\(name)' created with \(scopes.map(\.rawValue).sorted().joined(separator: ",")); it is shown only now")
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Every token: name, scopes, created, revoked.")
            @OptionGroup var global: GlobalOptions
            @Flag(help: "Print JSON.") var json = false

            func run() throws {
                let store = try global.openStore(create: true)
                let tokens = try orExit { try store.managingTokens { try $0.list() } }
                if json {
                    print(
                        JSONValue.array(
                            tokens.map {
                                .object([
                                    ("name", .string($0.name)), ("scopes", .array($0.scopes.map(\.rawValue).sorted().map(JSONValue.string))),
                                    ("created_at", .string($0.createdAt)), ("revoked_at", .optional($0.revokedAt)),
                                ])
                            }
                        ).serialized(pretty: true))
                    return
                }
                print("name\tscopes\tcreated_at\trevoked_at")
                for t in tokens { print("\(t.name)\t\(t.scopeList)\t\(t.createdAt)\t\(t.revokedAt ?? "-")") }
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a token: the server refuses it from the next request.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The token's name.") var name: String

            func run() throws {
                let store = try global.openStore(create: false)
                let revoked = try orExit {
                    try store.managingTokens { try $0.revoke(name: name, at: Timestamp.now.iso8601UTC) }
                }
                guard revoked else {
                    printError("error: no live token named '\(name)' (found: \(InputError.displayValue(name)))")
                    throw ExitCode.failure
                }
                printError("token '\(name)' revoked")
            }
        }
    }
#endif
