#if PostgreSQL
    import Foundation
    import PostgresStore
    import StorePort
    import Testing
    import UnifeedTestSupport

    /// `--db postgres://…`: every accepted spelling, the password's sources, and the password never in a
    /// message. No server needed.
    @Suite struct DatabaseURLTests {
        @Test(
            arguments: [
                ("postgres://ann:secret@db.example:6543/shop", "ann", "secret", DatabaseURL.Host.tcp("db.example"), 6543, "shop"),
                ("postgresql://ann@127.0.0.1/shop", "ann", nil, .tcp("127.0.0.1"), 5432, "shop"),
                ("postgres://ann:p%40ss%3Aword@[::1]:5433/shop", "ann", "p@ss:word", .tcp("::1"), 5433, "shop"),
                ("postgres://ann@%2Fvar%2Frun%2Fpostgresql/shop", "ann", nil, .socket(folder: "/var/run/postgresql"), 5432, "shop"),
                ("postgres://ann@/shop?host=/tmp/pg", "ann", nil, .socket(folder: "/tmp/pg"), 5432, "shop"),
                ("postgres:///shop?user=bob&password=pw", "bob", "pw", .socket(folder: "/var/run/postgresql"), 5432, "shop"),
            ] as [(String, String, String?, DatabaseURL.Host, Int, String)])
        func acceptedSpellings(text: String, user: String, password: String?, host: DatabaseURL.Host, port: Int, database: String) throws {
            let url = try DatabaseURL(text, environment: ["HOME": "/nonexistent"])
            #expect(url.user == user)
            #expect(url.password == password)
            #expect(url.host == host)
            #expect(url.port == port)
            #expect(url.database == database)
            #expect(!url.description.contains("secret") && !url.description.contains("p@ss") && !url.description.contains("pw@"))
        }

        @Test(arguments: [
            ("postgres://ann:secret@db.example/", "no database name"),
            ("postgres://ann:secret@db.example:99999/shop", "port"),
            ("postgres://ann:secret@db.example/shop?sslmode=sometimes", "sslmode"),
            ("postgres://ann:secret@db.example/shop?application=x", "unknown parameter 'application'"),
            ("postgres://ann:secret@db.example/a/b", "no database name"),
        ])
        func refusedSpellingsNameTheProblemNotThePassword(text: String, problem: String) {
            do {
                _ = try DatabaseURL(text, environment: [:])
                Issue.record("accepted \(text)")
            } catch let error as StoreError {
                #expect(error.description.contains(problem), "\(error)")
                #expect(error.description.contains("expected postgres://"))
                #expect(!error.description.contains("secret"), "the password is in the message: \(error)")
            } catch {
                Issue.record("\(error)")
            }
        }

        @Test func thePasswordComesFromTheURLThenPGPASSWORDThenThePasswordFile() throws {
            let directory = try TestPaths.temporaryDirectory()
            let file = directory.appendingPathComponent("pgpass").path
            try "# comment\nother:*:*:*:nope\ndb.example:5432:shop:ann:from\\:file\n*:*:*:bob:any\n".write(toFile: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
            let environment = ["PGPASSFILE": file]
            #expect(try DatabaseURL("postgres://ann:url@db.example/shop", environment: environment).password == "url")
            #expect(try DatabaseURL("postgres://ann@db.example/shop", environment: environment.merging(["PGPASSWORD": "env"]) { $1 }).password == "env")
            #expect(try DatabaseURL("postgres://ann@db.example/shop", environment: environment).password == "from:file")
            #expect(try DatabaseURL("postgres://bob@elsewhere:6000/x", environment: environment).password == "any")
            #expect(try DatabaseURL("postgres://carl@db.example/shop", environment: environment).password == nil)
            // A password file others may read is ignored, as libpq does.
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
            #expect(try DatabaseURL("postgres://ann@db.example/shop", environment: environment).password == nil)
        }
    }
#endif
