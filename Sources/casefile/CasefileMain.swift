import CasefileCLI

/// The executable is only this: everything lives in the CasefileCLI library.
@main
enum CasefileMain {
    static func main() async {
        await Casefile.main()
    }
}
